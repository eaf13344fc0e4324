set title "lm_resnet20_s0: logits against the finest solution (linear in depth)"
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
plot "refinement_distance_lm_resnet20_s0.dat" index 0 using 1:2 with linespoints pt 7 title "linear_multistep (trained) (slope 0.86 [0.16, 1.56])", "refinement_distance_lm_resnet20_s0.dat" index 1 using 1:2 with linespoints pt 7 title "forward_euler (slope 0.60 [-0.29, 1.49])"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "refinement_distance_lm_resnet20_s0.svg"
plot "refinement_distance_lm_resnet20_s0.dat" index 0 using 1:2 with linespoints pt 7 title "linear_multistep (trained) (slope 0.86 [0.16, 1.56])", "refinement_distance_lm_resnet20_s0.dat" index 1 using 1:2 with linespoints pt 7 title "forward_euler (slope 0.60 [-0.29, 1.49])"
unset output
