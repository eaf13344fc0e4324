set title "paper-reduced: final test error against training time (s)"
set xlabel "training time (s)"
set ylabel "final test error (%)"
set grid
set key top right
set xtics ("10276" 10276.36759, "10632" 10632.44858)
set xrange [10240.75949:10668.05668]
set key below vertical maxrows 2
set bmargin 7
set offsets 0, 0, graph 0.15, graph 0.15
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "error_vs_time.png"
plot "error_vs_time.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "lm_resnet20 (linear_multistep parametrization=official), 3 seeds", "error_vs_time.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "resnet20 (forward_euler), 3 seeds"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "error_vs_time.svg"
plot "error_vs_time.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "lm_resnet20 (linear_multistep parametrization=official), 3 seeds", "error_vs_time.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "resnet20 (forward_euler), 3 seeds"
unset output
