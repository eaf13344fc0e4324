set title "paper-reduced: final test error against parameters"
set xlabel "parameters"
set ylabel "final test error (%)"
set grid
set key top right
set key below
set offsets graph 0.1, graph 0.1, graph 0.1, graph 0.1
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "error_vs_params.png"
plot "error_vs_params.dat" index 0 using 1:2 with points pt 7 ps 1.5 title "lm_resnet20 (linear_multistep parametrization=official)", "error_vs_params.dat" index 1 using 1:2 with points pt 7 ps 1.5 title "resnet20 (forward_euler)"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "error_vs_params.svg"
plot "error_vs_params.dat" index 0 using 1:2 with points pt 7 ps 1.5 title "lm_resnet20 (linear_multistep parametrization=official)", "error_vs_params.dat" index 1 using 1:2 with points pt 7 ps 1.5 title "resnet20 (forward_euler)"
unset output
