using System.Net;
using System.Text;

namespace Etter.RoleSetup.Documents;

/// <summary>
/// Turns HTML into plain lines for a job description, in one linear pass (no regular expressions, so no
/// pathological backtracking on hostile markup): scripts, styles, templates, SVG, the page title and
/// navigation are dropped; block elements end lines; <c>&lt;li&gt;</c> becomes a <c>- </c> bullet and
/// <c>&lt;h1&gt;</c>…<c>&lt;h6&gt;</c> a markdown heading line (<c># </c>…<c>###### </c>); entities are decoded and
/// whitespace collapsed (kept inside <c>&lt;pre&gt;</c>).
/// </summary>
static class HtmlText
{
    static readonly HashSet<string> SkippedElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "math", "title", "nav", "iframe", "object", "canvas", "select", "button",
    };

    static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "ul", "ol", "dl", "dt", "dd", "table",
        "thead", "tbody", "tfoot", "tr", "blockquote", "form", "fieldset", "figure", "figcaption", "address", "hr",
        "details", "summary", "body", "html", "center",
    };

    public static string ToText(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var output = new LineWriter();
        var preDepth = 0;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0)
            {
                output.Text(WebUtility.HtmlDecode(html[i..]), preDepth > 0);
                break;
            }

            if (lt > i)
            {
                output.Text(WebUtility.HtmlDecode(html[i..lt]), preDepth > 0);
            }

            i = ReadMarkup(html, lt, output, ref preDepth);
        }

        return output.Finish();
    }

    /// <summary>Handles the markup at <paramref name="start"/> (a '&lt;') and returns where text resumes.</summary>
    static int ReadMarkup(string html, int start, LineWriter output, ref int preDepth)
    {
        if (string.CompareOrdinal(html, start, "<!--", 0, 4) == 0)
        {
            var end = html.IndexOf("-->", start + 4, StringComparison.Ordinal);
            return end < 0 ? html.Length : end + 3;
        }

        var next = start + 1 < html.Length ? html[start + 1] : '\0';
        if (next is '!' or '?')
        {
            var end = html.IndexOf('>', start);
            return end < 0 ? html.Length : end + 1;
        }

        var closing = next == '/';
        var nameStart = closing ? start + 2 : start + 1;
        var nameEnd = nameStart;
        while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] == '-'))
        {
            nameEnd++;
        }

        if (nameEnd == nameStart || !char.IsAsciiLetter(html[nameStart]))
        {
            // "a < b" is text, not a tag.
            output.Text("<", preDepth > 0);
            return start + 1;
        }

        var name = html[nameStart..nameEnd];
        var tagEnd = TagEnd(html, nameEnd);
        var selfClosing = tagEnd > 1 && html[tagEnd - 1] == '/';
        var after = tagEnd + 1;

        if (!closing && SkippedElements.Contains(name))
        {
            return selfClosing ? after : SkipElement(html, after, name);
        }

        if (name.Equals("br", StringComparison.OrdinalIgnoreCase))
        {
            output.LineBreak();
        }
        else if (name.Equals("pre", StringComparison.OrdinalIgnoreCase))
        {
            output.LineBreak();
            preDepth = Math.Max(0, preDepth + (closing ? -1 : selfClosing ? 0 : 1));
        }
        else if (name.Equals("li", StringComparison.OrdinalIgnoreCase))
        {
            if (closing)
            {
                output.LineBreak(keepPrefix: false);
            }
            else
            {
                output.Prefix("- ");
            }
        }
        else if (name.Length == 2 && char.ToLowerInvariant(name[0]) == 'h' && name[1] is >= '1' and <= '6')
        {
            if (closing)
            {
                output.LineBreak(keepPrefix: false);
            }
            else
            {
                output.Prefix(new string('#', name[1] - '0') + " ");
            }
        }
        else if (name.Equals("td", StringComparison.OrdinalIgnoreCase) || name.Equals("th", StringComparison.OrdinalIgnoreCase))
        {
            output.Text(" ", pre: false);
        }
        else if (BlockElements.Contains(name))
        {
            output.LineBreak();
        }

        return after;
    }

    /// <summary>The index of the '&gt;' ending the tag whose name ends at <paramref name="from"/>, skipping quoted attribute values.</summary>
    static int TagEnd(string html, int from)
    {
        char quote = '\0';
        for (var i = from; i < html.Length; i++)
        {
            var c = html[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return i;
            }
        }

        return html.Length - 1;
    }

    /// <summary>Skips to just after <c>&lt;/name&gt;</c> (or to the end when it never closes).</summary>
    static int SkipElement(string html, int from, string name)
    {
        var search = from;
        while (search < html.Length)
        {
            var close = html.IndexOf("</", search, StringComparison.Ordinal);
            if (close < 0)
            {
                return html.Length;
            }

            var nameEnd = close + 2 + name.Length;
            if (nameEnd <= html.Length
                && string.Compare(html, close + 2, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0
                && (nameEnd == html.Length || !char.IsAsciiLetterOrDigit(html[nameEnd])))
            {
                var end = html.IndexOf('>', nameEnd);
                return end < 0 ? html.Length : end + 1;
            }

            search = close + 2;
        }

        return html.Length;
    }

    /// <summary>Collects lines: collapses whitespace, drops empty lines and prefixes that never got text.</summary>
    sealed class LineWriter
    {
        readonly StringBuilder _text = new();
        readonly StringBuilder _line = new();
        string _prefix = "";
        bool _pendingSpace;

        public void Prefix(string prefix)
        {
            LineBreak();
            _prefix = prefix;
        }

        public void Text(string text, bool pre)
        {
            foreach (var c in text)
            {
                if (pre && c == '\n')
                {
                    LineBreak();
                }
                else if (char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    _pendingSpace = _line.Length > 0;
                }
                else
                {
                    if (_pendingSpace)
                    {
                        _line.Append(' ');
                        _pendingSpace = false;
                    }

                    _line.Append(c);
                }
            }
        }

        /// <summary>Ends the current line; a bullet or heading marker still waiting for its text is kept unless told otherwise.</summary>
        public void LineBreak(bool keepPrefix = true)
        {
            if (_line.Length > 0)
            {
                _text.Append(_prefix).Append(_line).Append('\n');
                _line.Clear();
                _prefix = "";
            }
            else if (!keepPrefix)
            {
                _prefix = "";
            }

            _pendingSpace = false;
        }

        public string Finish()
        {
            LineBreak(keepPrefix: false);
            return _text.ToString();
        }
    }
}
