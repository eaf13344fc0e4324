set title "lm_resnet20_s0: logits against the finest solution (piecewise in depth)"
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
set output "refinement_distance_lm_resnet20_s0.png"
plot "refinement_distance_lm_resnet20_s0.dat" index 0 using 1:2 with linespoints pt 7 title "linear_multistep (trained) (slope 0.79 [0.23, 1.36])", "refinement_distance_lm_resnet20_s0.dat" index 1 using 1:2 with linespoints pt 7 title "forward_euler (slope 0.62 [0.01, 1.23])", "refinement_distance_lm_resnet20_s0.dat" index 2 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=midpoint) (slope 1.33 [0.48, 2.17])", "refinement_distance_lm_resnet20_s0.dat" index 3 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=rk4) (slope 2.95 [2.46, 3.45])"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "refinement_distance_lm_resnet20_s0.svg"
plot "refinement_distance_lm_resnet20_s0.dat" index 0 using 1:2 with linespoints pt 7 title "linear_multistep (trained) (slope 0.79 [0.23, 1.36])", "refinement_distance_lm_resnet20_s0.dat" index 1 using 1:2 with linespoints pt 7 title "forward_euler (slope 0.62 [0.01, 1.23])", "refinement_distance_lm_resnet20_s0.dat" index 2 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=midpoint) (slope 1.33 [0.48, 2.17])", "refinement_distance_lm_resnet20_s0.dat" index 3 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=rk4) (slope 2.95 [2.46, 3.45])"
unset output
