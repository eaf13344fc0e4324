set title "resnet20_s0: test error of the re-integrated network (linear in depth)"
set xlabel "steps per trained step m"
set ylabel "test error (%)"
set grid
set key top right
set logscale x
set key top left
set format x "%g"
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "refinement_error_resnet20_s0.png"
plot "refinement_error_resnet20_s0.dat" index 0 using 1:2 with linespoints pt 7 title "forward_euler (trained)", "refinement_error_resnet20_s0.dat" index 1 using 1:2 with lines dt 2 lc rgb "black" title "trained network (16.80 %)"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "refinement_error_resnet20_s0.svg"
plot "refinement_error_resnet20_s0.dat" index 0 using 1:2 with linespoints pt 7 title "forward_euler (trained)", "refinement_error_resnet20_s0.dat" index 1 using 1:2 with lines dt 2 lc rgb "black" title "trained network (16.80 %)"
unset output
