/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The console's only script, bundled with Chart.js into one file served by the admin server itself.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartData } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.animation = false;

// A bar chart per <canvas data-chart="ID">, its data in <script type="application/json" id="ID">;
// data-stacked="y" draws horizontal bars (one per campaign), "x" vertical ones (one per day).
for (const canvas of document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) {
  const source = document.getElementById(canvas.dataset.chart ?? '');
  if (!source?.textContent) continue;
  const data = JSON.parse(source.textContent) as ChartData<'bar'>;
  const horizontal = canvas.dataset.stacked === 'y';
  new Chart(canvas, {
    type: 'bar',
    data,
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      maintainAspectRatio: false,
      datasets: { bar: { maxBarThickness: 56 } },
      scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true, beginAtZero: true } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

// Forms that act ask first: a retry charges families' accounts.
for (const form of document.querySelectorAll<HTMLFormElement>('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm ?? 'Are you sure?')) event.preventDefault();
  });
}
