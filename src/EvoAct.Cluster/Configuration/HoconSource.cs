using System.Text;

namespace EvoAct.Cluster.Configuration;

/// <summary>
/// HOCON text made safe for Akka 1.5's parser, which checks little: it accepts an unclosed brace, a
/// stray ']', `a = = 1` (as a key without a value) and an unterminated string without a word, knows
/// only `include "file"` (and then dereferences a null callback) and reads `include required(...)`
/// as a key. So the text is scanned here first: braces and brackets balance, strings close, every
/// '=' has a value on its line, and includes are resolved here, relative to the including file.
/// Comments and the spaces that end lines are dropped before Akka sees the text: it reads an empty
/// list followed by either on its line (`rungs = []  # none`) as no value at all. A missing include is an error, `required` or not: a config that silently does less than it says
/// is worse than one refused (as with unknown keys). Every error names the file and the line.
/// </summary>
public static class HoconSource
{
    const int MaxIncludeDepth = 16;

    /// <summary>A file's text with its includes spliced in, checked.</summary>
    public static string ReadFile(string path) => ReadFile(Path.GetFullPath(path), path, []);

    /// <summary>Text from elsewhere (a preset, --set): checked; includes resolve against <paramref name="baseDirectory"/>, or are refused without one.</summary>
    public static string Check(string text, string origin, string? baseDirectory = null) =>
        new Scanner(text, origin, baseDirectory, []).Run();

    static string ReadFile(string fullPath, string shownAs, IReadOnlyList<string> including)
    {
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(shownAs, $"cannot read the file: {e.Message}");
        }
        return new Scanner(text, shownAs, Path.GetDirectoryName(fullPath), [.. including, fullPath]).Run();
    }

    sealed class Scanner(string text, string origin, string? baseDirectory, IReadOnlyList<string> including)
    {
        readonly StringBuilder output = new(text.Length);
        readonly Stack<(char Open, int Line)> open = new();
        int i, line = 1;
        bool statementStart = true;

        ConfigException Error(int at, string problem) => new($"{origin}:{at}", problem);

        public string Run()
        {
            while (i < text.Length)
            {
                char c = text[i];
                // Comments are dropped: Akka's parser reads `a = []  # note` as a key without a value.
                if (c == '#' || (c == '/' && Peek(1) == '/')) { SkipToEndOfLine(); continue; }
                if (c == '\n') { TrimLineEnd(); line++; statementStart = true; Copy(1); continue; }
                if (char.IsWhiteSpace(c)) { Copy(1); continue; }
                if (c == '"') { QuotedString(); statementStart = false; continue; }
                if (c == '$' && Peek(1) == '{') { Substitution(); statementStart = false; continue; }
                if (statementStart && IsWord("include")) { Include(); continue; }
                switch (c)
                {
                    case '{' or '[':
                        open.Push((c, line));
                        Copy(1);
                        statementStart = c == '{';
                        continue;
                    case '}' or ']':
                        Close(c);
                        Copy(1);
                        statementStart = false;
                        continue;
                    case ',':
                        Copy(1);
                        statementStart = true;
                        continue;
                    case '=':
                        ValueMustFollow("'='");
                        Copy(1);
                        statementStart = false;
                        continue;
                    case ':' when Peek(1) is ' ' or '\t' or '\n' or '\r' or '\0':
                        ValueMustFollow("':'");
                        Copy(1);
                        statementStart = false;
                        continue;
                    default:
                        Copy(1);
                        statementStart = false;
                        continue;
                }
            }
            if (open.Count > 0)
            {
                var (o, at) = open.Peek();
                throw Error(at, $"'{o}' is never closed");
            }
            return output.ToString();
        }

        char Peek(int ahead) => i + ahead < text.Length ? text[i + ahead] : '\0';

        void Copy(int n)
        {
            output.Append(text, i, n);
            i += n;
        }

        /// <summary>Akka reads `a = []` followed by spaces (or by a comment, dropped above) as a key without a value.</summary>
        void TrimLineEnd()
        {
            while (output.Length > 0 && output[^1] is ' ' or '\t' or '\r') output.Length--;
        }

        void SkipToEndOfLine()
        {
            int end = text.IndexOf('\n', i);
            i = end < 0 ? text.Length : end;
        }

        bool IsWord(string word) =>
            string.CompareOrdinal(text, i, word, 0, word.Length) == 0 && Peek(word.Length) is ' ' or '\t';

        void Close(char c)
        {
            char expected = c == '}' ? '{' : '[';
            if (open.Count == 0) throw Error(line, $"'{c}' without a matching '{expected}'");
            var (o, at) = open.Pop();
            if (o != expected) throw Error(line, $"'{c}' where the '{o}' of line {at} should be closed");
        }

        /// <summary>Akka reads `a = = 1`, `a = }` and `a =` (then the next line's key) as no value or a wrong one.</summary>
        void ValueMustFollow(string separator)
        {
            int j = i + 1;
            while (j < text.Length && text[j] is ' ' or '\t') j++;
            char next = j < text.Length ? text[j] : '\0';
            bool comment = next == '#' || (next == '/' && j + 1 < text.Length && text[j + 1] == '/');
            if (next is '\0' or '\n' or '\r' or '=' or ':' or '}' or ']' or ',' || comment)
                throw Error(line, $"missing value after {separator}");
        }

        void QuotedString()
        {
            int start = i, startLine = line;
            if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
            {
                int end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0) throw Error(startLine, "unterminated \"\"\" string");
                while (end + 3 < text.Length && text[end + 3] == '"') end++; // """a"""" ends at the last quote
                line += text.AsSpan(i, end + 3 - i).Count('\n');
                Copy(end + 3 - i);
                return;
            }
            int k = i + 1;
            while (k < text.Length && text[k] != '"')
            {
                if (text[k] == '\n') throw Error(startLine, "unterminated string");
                k += text[k] == '\\' ? 2 : 1;
            }
            if (k >= text.Length) throw Error(startLine, "unterminated string");
            Copy(k + 1 - start);
        }

        void Substitution()
        {
            int end = text.IndexOfAny(['}', '\n'], i);
            if (end < 0 || text[end] != '}') throw Error(line, "unterminated substitution '${'");
            Copy(end + 1 - i);
        }

        /// <summary>include "f", include file("f"), include required("f"), include required(file("f")): spliced in place.</summary>
        void Include()
        {
            int at = line, j = i + "include".Length;
            void Space() { while (j < text.Length && text[j] is ' ' or '\t') j++; }
            bool Word(string w)
            {
                Space();
                if (string.CompareOrdinal(text, j, w, 0, w.Length) != 0) return false;
                j += w.Length;
                return true;
            }
            int parens = 0;
            if (Word("required(")) parens++;
            if (Word("file(")) parens++;
            else if (Word("url(") || Word("classpath("))
                throw Error(at, "only file includes are supported: include \"file\" or include required(file(\"file\"))");
            Space();
            if (j >= text.Length || text[j] != '"') throw Error(at, "malformed include: expected include \"file\" or include required(\"file\")");
            int close = text.IndexOfAny(['"', '\n'], j + 1);
            if (close < 0 || text[close] != '"') throw Error(at, "unterminated string in include");
            var name = text[(j + 1)..close];
            j = close + 1;
            for (; parens > 0; parens--)
                if (!Word(")")) throw Error(at, "malformed include: a ')' is missing");

            if (baseDirectory is null) throw Error(at, $"include \"{name}\": includes are only read from files");
            var full = Path.GetFullPath(Path.Combine(baseDirectory, name));
            if (!File.Exists(full)) throw Error(at, $"included file \"{name}\" not found ({full})");
            if (including.Contains(full)) throw Error(at, $"include \"{name}\" includes itself");
            if (including.Count >= MaxIncludeDepth) throw Error(at, $"includes nest deeper than {MaxIncludeDepth} files");
            output.Append('\n').Append(ReadFile(full, name, including)).Append('\n');
            i = j;
            statementStart = false;
        }
    }
}
