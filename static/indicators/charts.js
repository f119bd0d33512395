/* Draws every chart of the page with plotly.js: each element with data-figure="<id>" is drawn from the
   JSON ({data, layout}) of the <script type="application/json" id="<id>"> that json_script wrote.
   The figure has no width of its own: it takes its container's and follows it (responsive). */
(function () {
  "use strict";

  var CHARACTER_WIDTH = 13; // a full-width character at the charts' 12 px font, with a little room

  // Plotly never wraps a legend entry: on a phone a long plan name ran past the chart's edge. Break
  // it into lines that fit the chart's width (the names are Japanese: any character may end a line).
  function wrapName(name, perLine) {
    if (typeof name !== "string" || name.length <= perLine) {
      return name;
    }
    var lines = [];
    for (var start = 0; start < name.length; start += perLine) {
      lines.push(name.slice(start, start + perLine));
    }
    return lines.join("<br>");
  }

  function fitLegend(element, figure) {
    var perLine = Math.floor((element.clientWidth - 60) / CHARACTER_WIDTH);
    if (perLine < 8 || element.clientWidth >= 768) {
      return;
    }
    var lines = 0;
    figure.data.forEach(function (trace) {
      if (trace.name && trace.showlegend !== false) {
        trace.name = wrapName(trace.name, perLine);
        lines += trace.name.split("<br>").length;
      }
    });
    // The legend stands one entry a line below the plot: the chart grows by its height, so that the
    // plot keeps its size and the legend is not cut off at the bottom.
    if (figure.layout.height) {
      figure.layout.height += lines * 20;
    }
  }

  function draw() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      fitLegend(element, figure);
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
