set title "post-paper-fmnist: final test error against training time (s)"
set xlabel "training time (s)"
set ylabel "final test error (%)"
set grid
set key top right
set xtics ("52" 51.81739806, "61" 61.34123733, "70" 70.02207624, "74" 73.97100399, "92" 91.51600065)
set xrange [47.84753781:95.48586091]
set key below vertical maxrows 6
set bmargin 11
set offsets 0, 0, graph 0.15, graph 0.15
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "error_vs_time.png"
plot "error_vs_time.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "hamiltonian (hamiltonian recompute=true), 3 seeds", "error_vs_time.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "leapfrog (leapfrog_second_order recompute=true), 3 seeds", "error_vs_time.dat" index 2 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#009E73' title "lm_resnet (linear_multistep parametrization=official), 3 seeds", "error_vs_time.dat" index 3 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#CC79A7' title "midpoint (linear_multistep method=leapfrog), 3 seeds", "error_vs_time.dat" index 4 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#E69F00' title "momentum (momentum recompute=true), 3 seeds", "error_vs_time.dat" index 5 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#56B4E9' title "resnet (forward_euler), 3 seeds"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "error_vs_time.svg"
plot "error_vs_time.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "hamiltonian (hamiltonian recompute=true), 3 seeds", "error_vs_time.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "leapfrog (leapfrog_second_order recompute=true), 3 seeds", "error_vs_time.dat" index 2 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#009E73' title "lm_resnet (linear_multistep parametrization=official), 3 seeds", "error_vs_time.dat" index 3 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#CC79A7' title "midpoint (linear_multistep method=leapfrog), 3 seeds", "error_vs_time.dat" index 4 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#E69F00' title "momentum (momentum recompute=true), 3 seeds", "error_vs_time.dat" index 5 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#56B4E9' title "resnet (forward_euler), 3 seeds"
unset output
