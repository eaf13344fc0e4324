set title "quickstart: error by epoch"
set xlabel "epoch"
set ylabel "error (%)"
set grid
set key top right
set key below vertical maxrows 2
set bmargin 7
set xtics 1
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "curves.png"
plot "curves.dat" index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.7 lc rgb '#0072B2' title "lm_resnet20 test", "curves.dat" index 1 using 1:2 with lines dt 2 lw 1.5 lc rgb '#0072B2' title "lm_resnet20 train", "curves.dat" index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.7 lc rgb '#D55E00' title "resnet20 test", "curves.dat" index 3 using 1:2 with lines dt 2 lw 1.5 lc rgb '#D55E00' title "resnet20 train"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "curves.svg"
plot "curves.dat" index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.7 lc rgb '#0072B2' title "lm_resnet20 test", "curves.dat" index 1 using 1:2 with lines dt 2 lw 1.5 lc rgb '#0072B2' title "lm_resnet20 train", "curves.dat" index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.7 lc rgb '#D55E00' title "resnet20 test", "curves.dat" index 3 using 1:2 with lines dt 2 lw 1.5 lc rgb '#D55E00' title "resnet20 train"
unset output
