package io.sparklstm.report;

/** The shared page frame and small pieces of the report pages: inline CSS that wraps on a phone, no scripts. */
final class Html {

    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0 auto;
            max-width:1200px;padding:16px;color:#1b1f24;background:#fff;line-height:1.4}
            h1{font-size:1.6em;margin:.2em 0 .6em}h2{font-size:1.25em;margin:1.4em 0 .5em;border-bottom:1px solid #ddd}
            code{font-size:.92em;word-break:break-all}
            .cards{display:flex;flex-wrap:wrap;gap:12px}
            .card{flex:1 1 200px;border:1px solid #d0d7de;border-radius:8px;padding:12px 14px}
            .card .label{color:#57606a;font-size:.9em}.card .value{font-size:1.9em;font-weight:600}
            .card .detail{color:#57606a;font-size:.85em}
            .good .value{color:#1a7f37}.bad .value{color:#cf222e}.accuracy .value{color:#0969da}
            .reason{color:#57606a}
            .charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
            .charts img{max-width:100%;height:auto;border:1px solid #eee}
            table{border-collapse:collapse;margin:8px 0;font-size:.92em;display:block;max-width:100%;overflow-x:auto}
            th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:right}th{background:#f6f8fa}
            table.kv th,table.kv td{text-align:left}
            .grid{display:flex;flex-wrap:wrap;gap:8px}
            figure{margin:0;text-align:center;font-size:.85em}
            figure img{image-rendering:pixelated;border:1px solid #d0d7de}
            a{color:#0969da}
            """;

    private Html() {}

    static void head(StringBuilder page, String title) {
        page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
                .append(escape(title))
                .append("</title>\n<style>\n")
                .append(STYLE)
                .append("</style></head><body>\n");
    }

    static void foot(StringBuilder page) {
        page.append("<p class=\"reason\">Written by sparklstm. This page needs no network.</p>\n</body></html>\n");
    }

    static void card(StringBuilder page, String label, String value, String detail, String kind) {
        page.append("<div class=\"card")
                .append(kind == null ? "" : " " + kind)
                .append("\"><div class=\"label\">")
                .append(escape(label))
                .append("</div><div class=\"value\">")
                .append(escape(value))
                .append("</div><div class=\"detail\">")
                .append(escape(detail))
                .append("</div></div>\n");
    }

    static void image(StringBuilder page, String dataUri, String alt) {
        page.append("<img src=\"")
                .append(dataUri)
                .append("\" alt=\"")
                .append(escape(alt))
                .append("\">\n");
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
