set title "quickstart: final test error against MACs per image"
set xlabel "MACs per image"
set ylabel "final test error (%)"
set grid
set key top right
set xtics ("30.8M" 30821248, "31M" 31021952)
set xrange [30801177.6:31042022.4]
set key below vertical maxrows 2
set bmargin 7
set offsets 0, 0, graph 0.15, graph 0.15
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "error_vs_macs.png"
plot "error_vs_macs.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "lm_resnet20 (linear_multistep parametrization=official)", "error_vs_macs.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "resnet20 (forward_euler)"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "error_vs_macs.svg"
plot "error_vs_macs.dat" index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#0072B2' title "lm_resnet20 (linear_multistep parametrization=official)", "error_vs_macs.dat" index 1 using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '#D55E00' title "resnet20 (forward_euler)"
unset output
