set title "lm_resnet20_s2: logits against the finest solution (piecewise in depth)"
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
set output "refinement_distance_lm_resnet20_s2.png"
plot "refinement_distance_lm_resnet20_s2.dat" index 0 using 1:2 with linespoints pt 7 title "linear_multistep (trained) (slope 0.79 [0.35, 1.23])", "refinement_distance_lm_resnet20_s2.dat" index 1 using 1:2 with linespoints pt 7 title "forward_euler (slope 0.65 [0.11, 1.19])", "refinement_distance_lm_resnet20_s2.dat" index 2 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=midpoint) (slope 1.23 [0.43, 2.04])", "refinement_distance_lm_resnet20_s2.dat" index 3 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=rk4) (slope 2.79 [2.07, 3.50])"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "refinement_distance_lm_resnet20_s2.svg"
plot "refinement_distance_lm_resnet20_s2.dat" index 0 using 1:2 with linespoints pt 7 title "linear_multistep (trained) (slope 0.79 [0.35, 1.23])", "refinement_distance_lm_resnet20_s2.dat" index 1 using 1:2 with linespoints pt 7 title "forward_euler (slope 0.65 [0.11, 1.19])", "refinement_distance_lm_resnet20_s2.dat" index 2 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=midpoint) (slope 1.23 [0.43, 2.04])", "refinement_distance_lm_resnet20_s2.dat" index 3 using 1:2 with linespoints pt 7 title "runge_kutta(shared_fields=true, tableau=rk4) (slope 2.79 [2.07, 3.50])"
unset output
