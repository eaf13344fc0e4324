set title "post-paper-fmnist: final test error against MACs per image"
set xlabel "MACs per image"
set ylabel "final test error (%)"
set grid
set key top right
set xtics ("31M" 31021952, "59.8M" 59836160)
set xrange [28140531.2:62717580.8]
set key below vertical maxrows 6
set bmargin 11
set offsets 0, 0, graph 0.15, graph 0.15
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "error_vs_macs.png"
plot "error_vs_macs.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "hamiltonian (hamiltonian recompute=true), 3 seeds", "error_vs_macs.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "leapfrog (leapfrog_second_order recompute=true), 3 seeds", "error_vs_macs.dat" index 2 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#009E73' title "lm_resnet (linear_multistep parametrization=official), 3 seeds", "error_vs_macs.dat" index 3 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#CC79A7' title "midpoint (linear_multistep method=leapfrog), 3 seeds", "error_vs_macs.dat" index 4 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#E69F00' title "momentum (momentum recompute=true), 3 seeds", "error_vs_macs.dat" index 5 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#56B4E9' title "resnet (forward_euler), 3 seeds"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "error_vs_macs.svg"
plot "error_vs_macs.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "hamiltonian (hamiltonian recompute=true), 3 seeds", "error_vs_macs.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "leapfrog (leapfrog_second_order recompute=true), 3 seeds", "error_vs_macs.dat" index 2 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#009E73' title "lm_resnet (linear_multistep parametrization=official), 3 seeds", "error_vs_macs.dat" index 3 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#CC79A7' title "midpoint (linear_multistep method=leapfrog), 3 seeds", "error_vs_macs.dat" index 4 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#E69F00' title "momentum (momentum recompute=true), 3 seeds", "error_vs_macs.dat" index 5 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#56B4E9' title "resnet (forward_euler), 3 seeds"
unset output
