set title "resnet20_s2: logits against the finest solution (piecewise in depth)"
set xlabel "step size Δt (trained network: 1)"
set ylabel "relative logit distance to the finest m"
set grid
set key top right
set logscale x
set logscale y
set format y "%.0e"
set key bottom right
set format x "%g"
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "refinement_distance_resnet20_s2.png"
plot "refinement_distance_resnet20_s2.dat" index 0 using 1:2 with linespoints pt 7 title "forward_euler (trained) (slope 0.82 [0.37, 1.28])", "refinement_distance_resnet20_s2.dat" index 1 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=midpoint) (slope 0.98 [0.72, 1.24])", "refinement_distance_resnet20_s2.dat" index 2 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=rk4) (slope 1.00 [-0.01, 2.01])"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "refinement_distance_resnet20_s2.svg"
plot "refinement_distance_resnet20_s2.dat" index 0 using 1:2 with linespoints pt 7 title "forward_euler (trained) (slope 0.82 [0.37, 1.28])", "refinement_distance_resnet20_s2.dat" index 1 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=midpoint) (slope 0.98 [0.72, 1.24])", "refinement_distance_resnet20_s2.dat" index 2 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=rk4) (slope 1.00 [-0.01, 2.01])"
unset output
