set title "ode_depth_sweep_depth-56_s0: relative parameter increments in depth (all field parameters)"
set xlabel "step n within the stage"
set ylabel "‖θ_(n+1) − θ_n‖_F / ‖θ_n‖_F"
set grid
set key top right
set key top right
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "increments_ode_depth_sweep_depth-56_s0.png"
plot "increments_ode_depth_sweep_depth-56_s0.dat" index 0 using 1:2 with linespoints pt 7 title "stage 1", "increments_ode_depth_sweep_depth-56_s0.dat" index 1 using 1:2 with linespoints pt 7 title "stage 2", "increments_ode_depth_sweep_depth-56_s0.dat" index 2 using 1:2 with linespoints pt 7 title "stage 3"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "increments_ode_depth_sweep_depth-56_s0.svg"
plot "increments_ode_depth_sweep_depth-56_s0.dat" index 0 using 1:2 with linespoints pt 7 title "stage 1", "increments_ode_depth_sweep_depth-56_s0.dat" index 1 using 1:2 with linespoints pt 7 title "stage 2", "increments_ode_depth_sweep_depth-56_s0.dat" index 2 using 1:2 with linespoints pt 7 title "stage 3"
unset output
