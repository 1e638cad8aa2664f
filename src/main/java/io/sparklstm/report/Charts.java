package io.sparklstm.report;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts, drawn by XChart and returned as PNG {@code data:} URIs. */
final class Charts {

    static final int WIDTH = 560;
    static final int HEIGHT = 320;

    private Charts() {}

    /** A line chart of one series per epoch. */
    static String perEpoch(String title, String yTitle, List<Integer> epochs, List<Double> values) {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("epoch")
                .yAxisTitle(yTitle)
                .build();
        style(chart);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisDecimalPattern("0.####");
        XYSeries series = chart.addSeries(yTitle, epochs, values);
        series.setMarker(SeriesMarkers.CIRCLE);
        return png(chart);
    }

    /** A bar chart of one value per epoch. */
    static String barsPerEpoch(String title, String yTitle, List<Integer> epochs, List<Double> values) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("epoch")
                .yAxisTitle(yTitle)
                .build();
        style(chart);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        chart.addSeries(yTitle, epochs, values);
        return png(chart);
    }

    /** The confusion matrix as a heat map: rows the true class, columns the predicted class. */
    static String confusion(long[][] counts) {
        int n = counts.length;
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(WIDTH)
                .height(WIDTH - 40)
                .title("Confusion matrix (test set)")
                .xAxisTitle("predicted")
                .yAxisTitle("true")
                .build();
        style(chart);
        chart.getStyler().setShowValue(true);
        chart.getStyler().setHeatMapValueDecimalPattern("0");
        chart.getStyler().setValueFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 10));
        chart.getStyler().setMin(0);
        chart.getStyler().setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
        List<Integer> classes = java.util.stream.IntStream.range(0, n).boxed().toList();
        List<Number[]> cells = new java.util.ArrayList<>();
        for (int actual = 0; actual < n; actual++) {
            for (int predicted = 0; predicted < n; predicted++) {
                cells.add(new Number[] {predicted, n - 1 - actual, counts[actual][predicted]});
            }
        }
        List<Integer> reversed = new java.util.ArrayList<>(classes);
        java.util.Collections.reverse(reversed); // class 0 in the top row
        chart.addSeries("counts", classes, reversed, cells);
        return png(chart);
    }

    private static void style(Chart<?, ?> chart) {
        Styler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setChartTitleBoxVisible(false);
        styler.setPlotBorderVisible(false);
        styler.setAntiAlias(true);
    }

    static String png(Chart<?, ?> chart) {
        try {
            return "data:image/png;base64,"
                    + Base64.getEncoder()
                            .encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
