set title "paper-reduced: final test error against parameters"
set xlabel "parameters"
set ylabel "final test error (%)"
set grid
set key top right
set xtics ("269.7k" 269722, "272.4k" 272384)
set xrange [269455.8:272650.2]
set key below vertical maxrows 2
set bmargin 7
set offsets 0, 0, graph 0.15, graph 0.15
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "error_vs_params.png"
plot "error_vs_params.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "lm_resnet20 (linear_multistep parametrization=official), 3 seeds", "error_vs_params.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "resnet20 (forward_euler), 3 seeds"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "error_vs_params.svg"
plot "error_vs_params.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "lm_resnet20 (linear_multistep parametrization=official), 3 seeds", "error_vs_params.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "resnet20 (forward_euler), 3 seeds"
unset output
