set title "learned k_n of lm_resnet20_s2"
set xlabel "block (depth)"
set ylabel "k_n"
set grid
set key top right
set key below
set yrange [-1.25:1.25]
set xrange [1.5:9.5]
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "k_lm_resnet20_s2.png"
plot "k_lm_resnet20_s2.dat" index 0 using 1:2 with linespoints pt 7 title "k_n", "k_lm_resnet20_s2.dat" index 1 using 1:2 with lines dt 2 lc rgb 'gray40' title "zero-stability range -1 < k <= 1", "k_lm_resnet20_s2.dat" index 2 using 1:2 with lines dt 2 lc rgb 'gray40' title ""
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "k_lm_resnet20_s2.svg"
plot "k_lm_resnet20_s2.dat" index 0 using 1:2 with linespoints pt 7 title "k_n", "k_lm_resnet20_s2.dat" index 1 using 1:2 with lines dt 2 lc rgb 'gray40' title "zero-stability range -1 < k <= 1", "k_lm_resnet20_s2.dat" index 2 using 1:2 with lines dt 2 lc rgb 'gray40' title ""
unset output
