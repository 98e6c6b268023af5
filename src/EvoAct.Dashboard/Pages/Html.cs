using System.Globalization;
using System.Net;
using System.Text;

namespace EvoAct.Dashboard.Pages;

/// <summary>The pages' shared parts: the layout, encoding and number formats.</summary>
public static class Html
{
    public static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
    /// <summary>A URL path segment (run names may hold anything a user typed).</summary>
    public static string U(string s) => Uri.EscapeDataString(s);

    public static string Fit(double? v) => v is { } d && double.IsFinite(d) ? d.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
    public static string Num(double v, string format = "0.#") => v.ToString(format, CultureInfo.InvariantCulture);
    public static string Time(DateTime? t) => t is { } d ? d.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Ago(DateTime t, DateTime now)
    {
        var d = now - t;
        return d.TotalSeconds < 0 ? "now" : d.TotalSeconds < 90 ? $"{d.TotalSeconds:0} s ago" : d.TotalMinutes < 90 ? $"{d.TotalMinutes:0} min ago" : d.TotalHours < 48 ? $"{d.TotalHours:0.#} h ago" : $"{d.TotalDays:0} days ago";
    }

    public static string Duration(TimeSpan d) =>
        d.TotalSeconds < 90 ? $"{d.TotalSeconds:0} s" : d.TotalMinutes < 90 ? $"{d.TotalMinutes:0} min" : d.TotalHours < 48 ? $"{d.TotalHours:0.#} h" : $"{d.TotalDays:0.#} days";

    /// <param name="fragment">the URL of this page's live part: the script swaps it in on every journal change</param>
    public static string Page(string title, string live, string? fragment, string? problem, long version = 0)
    {
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append($"<title>{E(title)} · EvoAct</title><link rel=\"stylesheet\" href=\"/static/dashboard.css\"><link rel=\"icon\" href=\"data:,\"></head><body>");
        sb.Append("<header><a class=\"brand\" href=\"/\">EvoAct</a><nav><a href=\"/\">Runs</a><a href=\"/transfers\">Transfers</a><a href=\"/api/runs\">API</a></nav>");
        sb.Append("<span id=\"connection\" class=\"connection\" title=\"live updates\"></span></header>");
        if (problem is not null) sb.Append($"<p class=\"problem\">{E(problem)}</p>");
        sb.Append($"<main id=\"live\"{(fragment is null ? "" : $" data-fragment=\"{E(fragment)}\" data-version=\"{version}\"")}>{live}</main>");
        sb.Append("<script src=\"/static/dashboard.js\"></script></body></html>");
        return sb.ToString();
    }

    public static string ErrorPage(string heading, string message) =>
        Page(heading, $"<h1>{E(heading)}</h1><p class=\"problem\">{E(message)}</p><p><a href=\"/\">All runs</a></p>", null, null);

    /// <summary>A row of cells; each cell is already HTML.</summary>
    public static string Row(params string[] cells) => "<tr>" + string.Concat(cells.Select(c => $"<td>{c}</td>")) + "</tr>";

    public static string Table(string cssClass, string[] headers, IEnumerable<string> rows)
    {
        var sb = new StringBuilder($"<table class=\"{cssClass}\"><thead><tr>");
        foreach (var h in headers) sb.Append($"<th>{E(h)}</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in rows) sb.Append(r);
        return sb.Append("</tbody></table>").ToString();
    }
}
