set title "absolute stability regions |R(z)| <= 1 of the one-step schemes (z = lambda dt)"
set xlabel "Re z"
set ylabel "Im z"
set grid
set key top right
set key below
set size ratio -1
set xrange [-4.5:1]
set yrange [-3.5:3.5]
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "stability_regions.png"
plot "stability_regions.dat" index 0 using 1:2 with points pt 7 ps 0.25 title "forward Euler / ResNet", "stability_regions.dat" index 1 using 1:2 with points pt 7 ps 0.25 title "RK2: heun, midpoint, ralston, fractal rk2", "stability_regions.dat" index 2 using 1:2 with points pt 7 ps 0.25 title "RK4, rk38", "stability_regions.dat" index 3 using 1:2 with points pt 7 ps 0.25 title "PolyNet fixed point / literal, K = 2"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "stability_regions.svg"
plot "stability_regions.dat" index 0 using 1:2 with points pt 7 ps 0.25 title "forward Euler / ResNet", "stability_regions.dat" index 1 using 1:2 with points pt 7 ps 0.25 title "RK2: heun, midpoint, ralston, fractal rk2", "stability_regions.dat" index 2 using 1:2 with points pt 7 ps 0.25 title "RK4, rk38", "stability_regions.dat" index 3 using 1:2 with points pt 7 ps 0.25 title "PolyNet fixed point / literal, K = 2"
unset output
