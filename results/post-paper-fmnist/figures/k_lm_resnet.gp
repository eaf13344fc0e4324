set title "learned k_n of lm_resnet (3 seeds)"
set xlabel "step n (depth)"
set ylabel "learned k_n (mean over channels)"
set grid
set key top right
set yrange [-0.27709067463874815:0.6120657980442047]
set xrange [1.3:9.7]
set label 'every k_n inside the zero-stability range -1 < k <= 1' at graph 0.02, graph 0.04 font ',10'
set arrow from 3.5, graph 0 to 3.5, graph 1 nohead dt 3 lc rgb 'gray50'
set label 'stage2' at 3.6, graph 0.96 left font ',9' tc rgb 'gray40'
set arrow from 6.5, graph 0 to 6.5, graph 1 nohead dt 3 lc rgb 'gray50'
set label 'stage3' at 6.6, graph 0.96 left font ',9' tc rgb 'gray40'
set label 'stage1' at 1.4, graph 0.96 left font ',9' tc rgb 'gray40'
set xtics 1
set key below vertical maxrows 3
set bmargin 8
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "k_lm_resnet.png"
plot "k_lm_resnet.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 0.8 lc rgb '#0072B2' title "lm_resnet_s0", "k_lm_resnet.dat" index 1 using 1:2 with linespoints lw 1.5 pt 7 ps 0.8 lc rgb '#D55E00' title "lm_resnet_s1", "k_lm_resnet.dat" index 2 using 1:2 with linespoints lw 1.5 pt 7 ps 0.8 lc rgb '#009E73' title "lm_resnet_s2"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "k_lm_resnet.svg"
plot "k_lm_resnet.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 0.8 lc rgb '#0072B2' title "lm_resnet_s0", "k_lm_resnet.dat" index 1 using 1:2 with linespoints lw 1.5 pt 7 ps 0.8 lc rgb '#D55E00' title "lm_resnet_s1", "k_lm_resnet.dat" index 2 using 1:2 with linespoints lw 1.5 pt 7 ps 0.8 lc rgb '#009E73' title "lm_resnet_s2"
unset output
