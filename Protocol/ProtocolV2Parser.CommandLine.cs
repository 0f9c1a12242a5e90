namespace OrleansNsq.Protocol;

public sealed partial class ProtocolV2Parser
{
    /// <summary>
    /// A command line split as nsqd's bytes.Split(line, " ") would, but only as far as any verb looks: the verb and
    /// the first two parameters. Offsets are from the start of the line, which is the start of the parser's input.
    /// </summary>
    private readonly ref struct CommandLine
    {
        private readonly int _space1;
        private readonly int _space2;
        private readonly int _space3;

        public CommandLine(ReadOnlySpan<byte> text)
        {
            Text = text;
            _space1 = text.IndexOf((byte)' ');
            _space2 = NextSpace(text, _space1);
            _space3 = NextSpace(text, _space2);
        }

        public ReadOnlySpan<byte> Text { get; }

        public ReadOnlySpan<byte> Verb => _space1 < 0 ? Text : Text[.._space1];

        /// <summary>At least <paramref name="count"/> parameters after the verb (empty ones included).</summary>
        public bool HasParams(int count) => count switch
        {
            1 => _space1 >= 0,
            _ => _space2 >= 0,
        };

        /// <summary>Parameter 1 or 2 (1-based, as nsqd's params[1], params[2]); only after <see cref="HasParams"/>.</summary>
        public (int Start, int Length) Param(int index)
        {
            var (start, end) = index == 1
                ? (_space1 + 1, _space2 >= 0 ? _space2 : Text.Length)
                : (_space2 + 1, _space3 >= 0 ? _space3 : Text.Length);
            return (start, end - start);
        }

        public ReadOnlySpan<byte> ParamSpan(int index)
        {
            var (start, length) = Param(index);
            return Text.Slice(start, length);
        }

        private static int NextSpace(ReadOnlySpan<byte> text, int after)
        {
            if (after < 0)
            {
                return -1;
            }

            var next = text[(after + 1)..].IndexOf((byte)' ');
            return next < 0 ? -1 : after + 1 + next;
        }
    }
}
