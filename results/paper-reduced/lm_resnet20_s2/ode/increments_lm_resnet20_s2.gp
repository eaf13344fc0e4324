set title "lm_resnet20_s2: relative parameter increments in depth (all field parameters)"
set xlabel "step n within the stage"
set ylabel "‖θ_(n+1) − θ_n‖_F / ‖θ_n‖_F"
set grid
set key top right
set key top right
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "increments_lm_resnet20_s2.png"
plot "increments_lm_resnet20_s2.dat" index 0 using 1:2 with linespoints pt 7 title "stage 1", "increments_lm_resnet20_s2.dat" index 1 using 1:2 with linespoints pt 7 title "stage 2", "increments_lm_resnet20_s2.dat" index 2 using 1:2 with linespoints pt 7 title "stage 3"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "increments_lm_resnet20_s2.svg"
plot "increments_lm_resnet20_s2.dat" index 0 using 1:2 with linespoints pt 7 title "stage 1", "increments_lm_resnet20_s2.dat" index 1 using 1:2 with linespoints pt 7 title "stage 2", "increments_lm_resnet20_s2.dat" index 2 using 1:2 with linespoints pt 7 title "stage 3"
unset output
