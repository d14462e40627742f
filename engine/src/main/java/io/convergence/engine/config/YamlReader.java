package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.SourceLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one YAML file into a snakeyaml-engine node tree with source marks, turning every way a file
 * can be unreadable (syntax, encoding, size, alias bombs, several documents, nothing at all) into a
 * located {@link Problem} instead of an exception.
 */
public final class YamlReader {
    /** Largest file accepted, in bytes (and code points): pipeline files are a few kilobytes. */
    public static final int MAX_DOCUMENT_BYTES = 3 * 1024 * 1024;
    /** Most aliases to collections per document (snakeyaml-engine's own billion-laughs guard). */
    public static final int MAX_ALIASES_FOR_COLLECTIONS = 50;
    /** Most nodes the document may expand to when aliases are followed. */
    public static final int MAX_EXPANDED_NODES = 1_000_000;
    /** Deepest nesting of collections; the composer recurses, so this also protects the stack. */
    public static final int MAX_DEPTH = 100;

    private static final Logger LOG = LoggerFactory.getLogger(YamlReader.class);
    /** Building a schema compiles its resolver patterns; it is immutable, so share one. */
    static final CoreSchema SCHEMA = new CoreSchema();

    /** A parsed file: its root node when readable, else the problems that stopped it. */
    public record Document(Path file, Optional<Node> root, List<Problem> problems) {
        public Document {
            requireNonNull(file, "file is null");
            requireNonNull(root, "root is null");
            problems = List.copyOf(problems);
        }

        static Document failed(Path file, Problem problem) {
            return new Document(file, Optional.empty(), List.of(problem));
        }
    }

    private YamlReader() {
    }

    /** Settings shared by every load, so marks and scalar resolution are the same everywhere. */
    static LoadSettings settings(Path file) {
        return LoadSettings.builder()
                .setLabel(file.toString())
                .setSchema(SCHEMA)
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES_FOR_COLLECTIONS)
                .setCodePointLimit(MAX_DOCUMENT_BYTES)
                .setUseMarks(true)
                // Comments are kept by patching text at node marks (ADR 0005), not by the parser.
                .setParseComments(false)
                .build();
    }

    public static Document read(Path file) {
        requireNonNull(file, "file is null");
        try {
            long size = Files.size(file);
            if (size > MAX_DOCUMENT_BYTES) {
                return Document.failed(file, tooLarge(file, size));
            }
            return parse(Files.readAllBytes(file), file);
        } catch (NoSuchFileException e) {
            return Document.failed(file, Problem.error(ProblemCode.FILE_NOT_FOUND, SourceLocation.of(file),
                    "file not found", ""));
        } catch (IOException | SecurityException e) {
            return Document.failed(file, Problem.error(ProblemCode.IO_ERROR, SourceLocation.of(file),
                    "cannot read the file: " + e.getClass().getSimpleName() + " " + e.getMessage(), "check its permissions"));
        }
    }

    public static Document parse(byte[] bytes, Path file) {
        requireNonNull(bytes, "bytes is null");
        requireNonNull(file, "file is null");
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            return Document.failed(file, tooLarge(file, bytes.length));
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer text;
        try {
            text = decoder.decode(in);
        } catch (CharacterCodingException e) {
            return Document.failed(file, Problem.error(ProblemCode.YAML_SYNTAX, byteLocation(file, bytes, firstInvalidUtf8(bytes)),
                    "the file is not valid UTF-8", "save the file with UTF-8 encoding"));
        }
        return parse(text.toString(), file);
    }

    public static Document parse(String text, Path file) {
        requireNonNull(text, "text is null");
        requireNonNull(file, "file is null");
        if (text.length() > MAX_DOCUMENT_BYTES) {
            return Document.failed(file, tooLarge(file, text.length()));
        }
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        LoadSettings settings = settings(file);
        TrackingParser tracking = null;
        try {
            TrackingParser parser = new TrackingParser(new ParserImpl(settings, new StreamReader(settings, body)));
            tracking = parser;
            LimitedComposer composer = new LimitedComposer(settings, parser);
            if (!composer.hasNext()) {
                return Document.failed(file, empty(file));
            }
            Node root = composer.next();
            if (composer.hasNext()) {
                Optional<Mark> second = composer.peekMark();
                return Document.failed(file, Problem.error(ProblemCode.YAML_SYNTAX, at(file, second),
                        "the file holds more than one YAML document", "keep one document per file; remove the '---' separator"));
            }
            if (root instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag())) {
                return Document.failed(file, empty(file));
            }
            Expansion expansion = checkExpansion(root);
            if (expansion != null) {
                return Document.failed(file, Problem.error(ProblemCode.DOCUMENT_TOO_LARGE, at(file, expansion.node()),
                        expansion.reason(), "remove the anchors and aliases that repeat large parts of the document"));
            }
            return new Document(file, Optional.of(root), List.of());
        } catch (DepthExceeded e) {
            return Document.failed(file, Problem.error(ProblemCode.DOCUMENT_TOO_LARGE, at(file, e.mark),
                    "collections are nested more than " + MAX_DEPTH + " levels deep", "flatten the document"));
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> mark = e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
            return Document.failed(file, Problem.error(ProblemCode.YAML_SYNTAX, at(file, mark), syntaxMessage(e), syntaxHint(e)));
        } catch (ReaderException e) {
            return Document.failed(file, Problem.error(ProblemCode.YAML_SYNTAX, offsetLocation(file, body, e.getPosition()),
                    "the file contains a character YAML does not allow (code point " + e.getCodePoint() + ")",
                    "remove control characters from the file"));
        } catch (YamlEngineException e) {
            String message = String.valueOf(e.getMessage());
            // These exceptions carry no mark: the last event the composer took is where it stopped.
            SourceLocation where = tracking == null ? new SourceLocation(file, 1, 1) : at(file, tracking.lastMark);
            if (message.contains("aliases") || message.contains("exceeds the limit")) {
                return Document.failed(file, Problem.error(ProblemCode.DOCUMENT_TOO_LARGE, where,
                        "the document is too large: " + message, "remove repeated aliases; keep files under "
                                + MAX_DOCUMENT_BYTES / (1024 * 1024) + " MB"));
            }
            return Document.failed(file, Problem.error(ProblemCode.YAML_SYNTAX, where, "invalid YAML: " + message, ""));
        } catch (RuntimeException | StackOverflowError e) {
            // The parser is third-party code fed arbitrary text; whatever it throws is a problem with the file.
            LOG.debug("YAML parser failed on {}", file, e);
            return Document.failed(file, Problem.error(ProblemCode.YAML_SYNTAX, new SourceLocation(file, 1, 1),
                    "the YAML parser could not read the file (" + e.getClass().getSimpleName() + ")", "check the file's syntax"));
        }
    }

    /** 1-based location of a snakeyaml mark (snakeyaml counts from 0). */
    static SourceLocation at(Path file, Optional<Mark> mark) {
        return mark.map(m -> new SourceLocation(file, m.getLine() + 1, m.getColumn() + 1)).orElse(SourceLocation.of(file));
    }

    static SourceLocation at(Path file, Node node) {
        return at(file, node.getStartMark());
    }

    private static Problem empty(Path file) {
        return Problem.error(ProblemCode.EMPTY_FILE, SourceLocation.of(file), "the file is empty",
                "write a YAML mapping; `convergence schema` prints the expected keys");
    }

    private static Problem tooLarge(Path file, long size) {
        return Problem.error(ProblemCode.DOCUMENT_TOO_LARGE, SourceLocation.of(file),
                "the file is too large (" + size + " bytes; the limit is " + MAX_DOCUMENT_BYTES + ")",
                "configuration files are small; keep data out of them");
    }

    private static String syntaxMessage(MarkedYamlEngineException e) {
        StringBuilder out = new StringBuilder("invalid YAML: ");
        if (e.getContext() != null) {
            out.append(e.getContext()).append(", ");
        }
        out.append(e.getProblem() == null ? "syntax error" : e.getProblem());
        return out.toString();
    }

    private static String syntaxHint(MarkedYamlEngineException e) {
        String problem = String.valueOf(e.getProblem());
        if (problem.contains("\\t") || problem.contains("tab")) {
            return "indent with spaces, never tabs";
        }
        if (problem.contains("mapping values are not allowed")) {
            return "quote values that contain ': '";
        }
        if (problem.contains("undefined alias")) {
            return "define the anchor (&name) before the alias (*name)";
        }
        return "check indentation and quoting around this position";
    }

    /** Why a document is refused, and the node to point at. */
    private record Expansion(String reason, Node node) {
    }

    /**
     * Walks the tree following aliases, stopping past {@link #MAX_EXPANDED_NODES} visits; returns why the
     * document is refused (pointing at the first collection reached twice, an anchor), or null.
     * Iterative, so a deep document cannot overflow the stack here.
     */
    private static Expansion checkExpansion(Node root) {
        Deque<Node> stack = new ArrayDeque<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Node firstShared = null;
        stack.push(root);
        long visits = 0;
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            if (node.isRecursive()) {
                return new Expansion("the document refers to itself through an alias", node);
            }
            if (++visits > MAX_EXPANDED_NODES) {
                return new Expansion("the document expands to more than " + MAX_EXPANDED_NODES + " nodes through aliases",
                        firstShared == null ? root : firstShared);
            }
            if (node instanceof MappingNode || node instanceof SequenceNode) {
                if (!seen.add(node) && firstShared == null) {
                    firstShared = node;
                }
            }
            if (node instanceof MappingNode mapping) {
                for (NodeTuple tuple : mapping.getValue()) {
                    stack.push(tuple.getValueNode());
                    stack.push(tuple.getKeyNode());
                }
            } else if (node instanceof SequenceNode sequence) {
                for (Node child : sequence.getValue()) {
                    stack.push(child);
                }
            }
        }
        return null;
    }

    private static int firstInvalidUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }

    private static SourceLocation byteLocation(Path file, byte[] bytes, int offset) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset && i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                line++;
                column = 1;
            } else if ((bytes[i] & 0xC0) != 0x80) {
                column++;
            }
        }
        return new SourceLocation(file, line, column);
    }

    /** Location of a code-point offset in {@code text}. */
    private static SourceLocation offsetLocation(Path file, String text, int codePointOffset) {
        int line = 1;
        int column = 1;
        int seen = 0;
        for (int i = 0; i < text.length() && seen < codePointOffset; i += Character.charCount(text.codePointAt(i)), seen++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new SourceLocation(file, line, column);
    }

    private static final class DepthExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Optional<Mark> mark;

        DepthExceeded(Optional<Mark> mark) {
            super(null, null, false, false);
            this.mark = mark;
        }
    }

    /** A parser that remembers where its last event started, for exceptions that carry no mark. */
    private static final class TrackingParser implements Parser {
        private final Parser delegate;
        private Optional<Mark> lastMark = Optional.empty();

        TrackingParser(Parser delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean checkEvent(Event.ID choice) {
            return delegate.checkEvent(choice);
        }

        @Override
        public Event peekEvent() {
            return delegate.peekEvent();
        }

        @Override
        public Event next() {
            Event event = delegate.next();
            lastMark = event.getStartMark();
            return event;
        }

        @Override
        public boolean hasNext() {
            return delegate.hasNext();
        }
    }

    /** A composer that refuses deep nesting before its recursion can exhaust the stack. */
    private static final class LimitedComposer extends Composer {
        private int depth;

        LimitedComposer(LoadSettings settings, Parser parser) {
            super(settings, parser);
        }

        Optional<Mark> peekMark() {
            Event event = parser.peekEvent();
            return event.getStartMark();
        }

        @Override
        protected SequenceNode composeSequenceNode(Optional<Anchor> anchor) {
            enter();
            try {
                return super.composeSequenceNode(anchor);
            } finally {
                depth--;
            }
        }

        @Override
        protected Node composeMappingNode(Optional<Anchor> anchor) {
            enter();
            try {
                return super.composeMappingNode(anchor);
            } finally {
                depth--;
            }
        }

        private void enter() {
            if (++depth > MAX_DEPTH) {
                depth--;
                throw new DepthExceeded(parser.peekEvent().getStartMark());
            }
        }
    }
}
