/*
 * The analytics pages' charts, drawn with the vendored Chart.js (static/vendor/chartjs).
 *
 * No inline script: a page embeds its figures with Django's json_script (a JSON element, never run)
 * and marks each chart's canvas with data-chart (its key in that JSON) and data-source (the JSON
 * element's id). Three kinds of chart:
 *   estimates: one bar per segment with its 95% interval as a whisker, small groups paler;
 *   lift: grouped bars of lift over the base rate, with the base rate (1×) as a dashed line;
 *   roc: ROC curves of the versions compared, with the chance diagonal.
 */
(function () {
  "use strict";

  const COLOURS = ["#0d6efd", "#198754", "#dc3545", "#6f42c1", "#fd7e14"];
  const PALE = "rgba(13, 110, 253, 0.35)";
  const FORMATS = {
    share: (value) => (value * 100).toFixed(1) + "%",
    points: (value) => value.toFixed(1),
    currency: (value) => Math.round(value).toLocaleString("en-US"),
    days: (value) => value.toFixed(1),
    months: (value) => value.toFixed(1),
    lift: (value) => value.toFixed(2) + "×",
  };

  // Whiskers from each bar's low to high, read from the chart's own "intervals" plugin options.
  const intervals = {
    id: "intervals",
    afterDatasetsDraw(chart, args, options) {
      if (!options || !options.low) {
        return;
      }
      const bars = chart.getDatasetMeta(0).data;
      const scale = chart.scales.y;
      const context = chart.ctx;
      context.save();
      context.strokeStyle = "#212529";
      context.lineWidth = 1.5;
      bars.forEach((bar, index) => {
        const low = options.low[index];
        const high = options.high[index];
        if (low === null || high === null || low === undefined || high === undefined) {
          return;
        }
        const top = scale.getPixelForValue(high);
        const bottom = scale.getPixelForValue(low);
        context.beginPath();
        context.moveTo(bar.x, top);
        context.lineTo(bar.x, bottom);
        context.moveTo(bar.x - 6, top);
        context.lineTo(bar.x + 6, top);
        context.moveTo(bar.x - 6, bottom);
        context.lineTo(bar.x + 6, bottom);
        context.stroke();
      });
      context.restore();
    },
  };

  function bounds(values) {
    const known = values.filter((value) => value !== null && value !== undefined);
    return known.length ? [Math.min(...known), Math.max(...known)] : [0, 1];
  }

  function estimatesChart(data) {
    const format = FORMATS[data.unit] || String;
    const [lowest, highest] = bounds([...data.values, ...data.low, ...data.high]);
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.title,
            data: data.values,
            backgroundColor: data.small.map((small) => (small ? PALE : COLOURS[0])),
          },
        ],
      },
      options: {
        plugins: {
          legend: { display: false },
          title: { display: true, text: data.title },
          intervals: { low: data.low, high: data.high },
          tooltip: {
            callbacks: {
              label: (item) => {
                const index = item.dataIndex;
                const value = data.values[index];
                if (value === null) {
                  return "no data";
                }
                let text = format(value);
                if (data.low[index] !== null && data.high[index] !== null) {
                  text += " [" + format(data.low[index]) + " to " + format(data.high[index]) + "]";
                }
                return data.small[index] ? text + " (small group)" : text;
              },
            },
          },
        },
        scales: {
          y: {
            suggestedMin: Math.min(0, lowest),
            suggestedMax: Math.max(0, highest),
            ticks: { callback: (value) => format(value) },
          },
        },
      },
      plugins: [intervals],
    };
  }

  function liftChart(data) {
    const datasets = data.series.map((series, index) => ({
      type: "bar",
      label: series.label,
      data: series.values,
      backgroundColor: COLOURS[index % COLOURS.length],
    }));
    datasets.push({
      type: "line",
      label: "Base rate (1×)",
      data: data.labels.map(() => 1),
      borderColor: "#212529",
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
    });
    return {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        plugins: {
          title: { display: true, text: data.title },
          tooltip: { callbacks: { label: (item) => item.dataset.label + ": " + FORMATS.lift(item.parsed.y) } },
        },
        scales: { y: { beginAtZero: true, ticks: { callback: (value) => FORMATS.lift(value) } } },
      },
    };
  }

  function rocChart(data) {
    const datasets = data.series.map((series, index) => ({
      label: series.label,
      data: series.points.map(([x, y]) => ({ x: x, y: y })),
      borderColor: COLOURS[index % COLOURS.length],
      backgroundColor: COLOURS[index % COLOURS.length],
      showLine: true,
      pointRadius: 2,
    }));
    datasets.push({
      label: "Chance (AUC 0.5)",
      data: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
      borderColor: "#6c757d",
      borderDash: [6, 4],
      showLine: true,
      pointRadius: 0,
    });
    return {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        aspectRatio: 1.4,
        plugins: { title: { display: true, text: data.title } },
        scales: {
          x: { min: 0, max: 1, title: { display: true, text: "Lost deals above the threshold (false positive rate)" } },
          y: { min: 0, max: 1, title: { display: true, text: "Won deals above the threshold (true positive rate)" } },
        },
      },
    };
  }

  const KINDS = { estimates: estimatesChart, lift: liftChart, roc: rocChart };

  function draw() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    window.Chart.defaults.animation = false;
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const source = document.getElementById(canvas.dataset.source);
      if (!source) {
        return;
      }
      const data = JSON.parse(source.textContent)[canvas.dataset.chart];
      if (!data || !KINDS[data.kind]) {
        return;
      }
      new window.Chart(canvas, KINDS[data.kind](data));
      canvas.dataset.drawn = "true";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
