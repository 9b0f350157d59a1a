package io.lyre.scheduler.constraint;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One parsed constraint, {@code field op value}, over device facts or engine labels:
 * <pre>
 *   memory >= 20 GiB        cuda.cc >= 8.0        model matches A100|H100
 *   vendor = nvidia         numa in (0, 1)        zone != attic
 * </pre>
 * Ordering operators compare numbers, sizes with units and dotted versions; {@code =} and {@code !=} compare
 * numerically when both sides read as numbers and as case-insensitive text otherwise; {@code matches} is a
 * Java regex that may match anywhere ({@code find}); {@code in} takes a comma list, optionally in () or [].
 * A fact that is missing never satisfies a constraint (not even {@code !=}), as in Nomad: an unknown
 * attribute is no evidence either way, and placing on it would be a guess.
 *
 * @param source   the text as written, for messages and stable JSON
 * @param field    the fact it reads
 * @param operator how it compares
 * @param operands the parsed value (one; several for {@code in})
 * @param pattern  the compiled regex for {@code matches}, else null
 */
public record Constraint(String source, String field, Operator operator, List<FactValue> operands, Pattern pattern) {

    /** The field whose values are vendor names: its operands are canonicalised with {@link VendorAliases}. */
    public static final String VENDOR = "vendor";

    public Constraint {
        Objects.requireNonNull(source, "source");
        operands = List.copyOf(operands);
    }

    /** Parses one constraint; a {@link ConstraintSyntaxException} names the field and the position. */
    public static Constraint parse(String text) {
        return new Parser(text == null ? "" : text).parse();
    }

    /** Whether the fact satisfies this constraint; a null (missing) fact never does. */
    public boolean test(FactValue fact) {
        if (fact == null) {
            return false;
        }
        return switch (operator) {
            case EQ -> fact.sameAs(operands.get(0));
            case NE -> !fact.sameAs(operands.get(0));
            case LT -> ordered(fact) && fact.compareTo(operands.get(0)) < 0;
            case LE -> ordered(fact) && fact.compareTo(operands.get(0)) <= 0;
            case GT -> ordered(fact) && fact.compareTo(operands.get(0)) > 0;
            case GE -> ordered(fact) && fact.compareTo(operands.get(0)) >= 0;
            case MATCHES -> pattern.matcher(fact.text()).find();
            case IN -> anySame(fact);
        };
    }

    private boolean ordered(FactValue fact) {
        return fact.compareTo(operands.get(0)) != Integer.MIN_VALUE;
    }

    private boolean anySame(FactValue fact) {
        for (FactValue operand : operands) {
            if (fact.sameAs(operand)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Constraint c && c.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    /** A hand-written scanner: the grammar is three tokens, and its errors must point at a column. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Constraint parse() {
            skipSpaces();
            int fieldStart = pos;
            if (pos >= text.length() || !(Character.isLetter(text.charAt(pos)) || text.charAt(pos) == '_')) {
                throw error("expected a field name (memory, compute_units, model, vendor, kind or an attribute)", pos);
            }
            while (pos < text.length() && isFieldChar(text.charAt(pos))) {
                pos++;
            }
            String field = text.substring(fieldStart, pos);
            skipSpaces();
            int opStart = pos;
            Operator op = operator();
            if (op == null) {
                throw error("field '" + field + "': expected an operator (=, !=, <, <=, >, >=, matches, in)", opStart);
            }
            skipSpaces();
            int valueStart = pos;
            String value = text.substring(pos).trim();
            if (value.isEmpty()) {
                throw error("field '" + field + "': expected a value after '" + op.symbol() + "'", valueStart);
            }
            boolean vendor = field.equalsIgnoreCase(VENDOR);
            List<FactValue> operands = new ArrayList<>();
            Pattern pattern = null;
            switch (op) {
                case MATCHES -> {
                    try {
                        pattern = Pattern.compile(value);
                    } catch (PatternSyntaxException e) {
                        throw error("field '" + field + "': bad regex (" + e.getDescription() + ")",
                                valueStart + Math.max(0, e.getIndex()));
                    }
                    operands.add(FactValue.of(value));
                }
                case IN -> {
                    String list = value;
                    int offset = valueStart;
                    if ((list.startsWith("(") && list.endsWith(")")) || (list.startsWith("[") && list.endsWith("]"))) {
                        list = list.substring(1, list.length() - 1);
                        offset++;
                    }
                    int at = 0;
                    for (String item : list.split(",", -1)) {
                        if (item.isBlank()) {
                            throw error("field '" + field + "': empty item in 'in' list", offset + at);
                        }
                        operands.add(operand(item.trim(), vendor));
                        at += item.length() + 1;
                    }
                }
                default -> {
                    FactValue operand = operand(value, vendor);
                    if (op.ordering() && !operand.isNumeric() && operand.version() == null) {
                        throw error("field '" + field + "': '" + op.symbol()
                                + "' needs a number, a size (20 GiB) or a version (8.0), got '" + value + "'", valueStart);
                    }
                    operands.add(operand);
                }
            }
            return new Constraint(text.trim(), field, op, operands, pattern);
        }

        private static FactValue operand(String value, boolean vendor) {
            return vendor ? FactValue.ofText(VendorAliases.key(value)) : FactValue.of(value);
        }

        private Operator operator() {
            for (String symbol : new String[] {">=", "<=", "!=", "==", "=", "<", ">"}) {
                if (text.startsWith(symbol, pos)) {
                    pos += symbol.length();
                    return switch (symbol) {
                        case ">=" -> Operator.GE;
                        case "<=" -> Operator.LE;
                        case "!=" -> Operator.NE;
                        case "<" -> Operator.LT;
                        case ">" -> Operator.GT;
                        default -> Operator.EQ;
                    };
                }
            }
            for (Operator word : new Operator[] {Operator.MATCHES, Operator.IN}) {
                String w = word.symbol();
                int end = pos + w.length();
                if (text.regionMatches(true, pos, w, 0, w.length())
                        && (end == text.length() || Character.isWhitespace(text.charAt(end)) || text.charAt(end) == '(' || text.charAt(end) == '[')) {
                    pos = end;
                    return word;
                }
            }
            return null;
        }

        private static boolean isFieldChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '/';
        }

        private void skipSpaces() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private ConstraintSyntaxException error(String what, int at) {
            return new ConstraintSyntaxException(what + " at position " + (at + 1) + " in '" + text + "'", at + 1);
        }
    }
}
