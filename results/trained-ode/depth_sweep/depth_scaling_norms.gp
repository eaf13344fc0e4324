set title "Largest parameter norm of a step, against depth"
set xlabel "depth L"
set ylabel "max_n ||theta_n||_F"
set grid
set key top right
set logscale x
set logscale y
set format y "%.0e"
set key outside right
set format y "%g"
set format x "%g"
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "depth_scaling_norms.png"
plot "depth_scaling_norms.dat" index 0 using 1:2 with points pt 7 ps 1.2 lc rgb "#1f77b4" title "stage 1", "depth_scaling_norms.dat" index 1 using 1:2 with lines dt 2 lc rgb "#1f77b4" title "  fit: slope 0.00 [-0.01, 0.02]", "depth_scaling_norms.dat" index 2 using 1:2 with points pt 7 ps 1.2 lc rgb "#ff7f0e" title "stage 2", "depth_scaling_norms.dat" index 3 using 1:2 with lines dt 2 lc rgb "#ff7f0e" title "  fit: slope -0.01 [-0.01, -0.01]", "depth_scaling_norms.dat" index 4 using 1:2 with points pt 7 ps 1.2 lc rgb "#2ca02c" title "stage 3", "depth_scaling_norms.dat" index 5 using 1:2 with lines dt 2 lc rgb "#2ca02c" title "  fit: slope -0.01 [-0.01, -0.01]"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "depth_scaling_norms.svg"
plot "depth_scaling_norms.dat" index 0 using 1:2 with points pt 7 ps 1.2 lc rgb "#1f77b4" title "stage 1", "depth_scaling_norms.dat" index 1 using 1:2 with lines dt 2 lc rgb "#1f77b4" title "  fit: slope 0.00 [-0.01, 0.02]", "depth_scaling_norms.dat" index 2 using 1:2 with points pt 7 ps 1.2 lc rgb "#ff7f0e" title "stage 2", "depth_scaling_norms.dat" index 3 using 1:2 with lines dt 2 lc rgb "#ff7f0e" title "  fit: slope -0.01 [-0.01, -0.01]", "depth_scaling_norms.dat" index 4 using 1:2 with points pt 7 ps 1.2 lc rgb "#2ca02c" title "stage 3", "depth_scaling_norms.dat" index 5 using 1:2 with lines dt 2 lc rgb "#2ca02c" title "  fit: slope -0.01 [-0.01, -0.01]"
unset output
