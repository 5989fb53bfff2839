package io.driftlake.drift.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The main Java sources of one module, read as text for the architecture tests: each file's
 * package, the classes of {@code base} it names (imports and fully qualified names in code, not in
 * comments or strings), its imports from elsewhere, its comments and its length.
 */
public final class SourceTree {
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
  private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?([\\w.]+)(?:\\.\\*)?;");

  /** One source file. {@code code} has comments and string literals blanked out. */
  public record Source(Path path, String packageName, String simpleName, int lines, String code,
                       String comments, List<String> imports) {
    /** Its path relative to the module, for messages. */
    public String name(Path root) {
      return root.relativize(path).toString();
    }
  }

  private final Path root;
  private final String base;
  private final List<Source> sources;

  private SourceTree(Path root, String base, List<Source> sources) {
    this.root = root;
    this.base = base;
    this.sources = sources;
  }

  /** A tree of the given sources, for the tests of this class. */
  public static SourceTree of(Path module, String base, List<Source> sources) {
    return new SourceTree(module, base, List.copyOf(sources));
  }

  /** Reads every {@code .java} file under {@code module/src/main/java}. */
  public static SourceTree read(Path module, String base) {
    Path root = module.resolve("src/main/java");
    try (Stream<Path> files = Files.walk(root)) {
      List<Source> sources = new ArrayList<>();
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        sources.add(source(p));
      }
      if (sources.isEmpty()) {
        throw new IllegalStateException("No main sources under " + root.toAbsolutePath());
      }
      return new SourceTree(module, base, sources);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Source> sources() {
    return sources;
  }

  /** The package relative to {@code base} ({@code ""} for base itself). */
  public String relative(String packageName) {
    return packageName.equals(base) ? "" : packageName.substring(base.length() + 1);
  }

  /** Top-level classes of {@code base} a file names, as {@code package.Class}. */
  public Set<String> referencedClasses(Source s) {
    Set<String> out = new TreeSet<>();
    Pattern fq = Pattern.compile("\\b" + Pattern.quote(base) + "((?:\\.[a-z]\\w*)*)\\.([A-Z]\\w*)");
    for (String text : List.of(String.join("\n", s.imports()), s.code())) {
      Matcher m = fq.matcher(text);
      while (m.find()) {
        out.add(base + m.group(1) + "." + m.group(2));
      }
    }
    return out;
  }

  /** Package → packages of {@code base} it depends on (itself left out). */
  public Map<String, Set<String>> packageGraph() {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (Source s : sources) {
      Set<String> deps = graph.computeIfAbsent(s.packageName(), k -> new TreeSet<>());
      for (String c : referencedClasses(s)) {
        String p = c.substring(0, c.lastIndexOf('.'));
        if (!p.equals(s.packageName())) {
          deps.add(p);
        }
      }
    }
    return graph;
  }

  /** The package cycles (strongly connected components of more than one package), sorted. */
  public List<String> packageCycles() {
    Map<String, Set<String>> graph = packageGraph();
    List<String> cycles = new ArrayList<>();
    for (Set<String> component : components(graph)) {
      if (component.size() > 1) {
        cycles.add(String.join(" <-> ", component.stream().map(this::relative).sorted().toList()));
      }
    }
    cycles.sort(null);
    return cycles;
  }

  private static List<Set<String>> components(Map<String, Set<String>> graph) {
    // Tarjan's algorithm, recursive: the graphs are a few dozen packages.
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> out = new ArrayList<>();
    for (String v : graph.keySet()) {
      if (!index.containsKey(v)) {
        connect(v, graph, index, low, stack, onStack, out);
      }
    }
    return out;
  }

  private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                              Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                              List<Set<String>> out) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, graph, index, low, stack, onStack, out);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      out.add(component);
    }
  }

  /** Files longer than {@code max} lines, as {@code path (lines)}. */
  public List<String> longerThan(int max) {
    return sources.stream().filter(s -> s.lines() > max)
        .map(s -> s.name(root) + " (" + s.lines() + ")").toList();
  }

  /** Files of the given relative packages that import anything starting with {@code prefix}. */
  public List<String> importing(Set<String> packages, String prefix) {
    return sources.stream()
        .filter(s -> packages.contains(relative(s.packageName())))
        .filter(s -> s.imports().stream().anyMatch(i -> i.startsWith(prefix))
            || s.code().contains(prefix + "."))
        .map(s -> s.name(root)).toList();
  }

  /** Comment lines that quote a duration ({@code 2.1 s}, {@code 250 ms}, {@code 3 min}). */
  public List<String> timingsInComments() {
    Pattern timing = Pattern.compile(
        "\\b\\d+(?:[.,]\\d+)?(?:[-–]\\d+(?:[.,]\\d+)?)? ?(?:s|ms|sec|seconds|min|minutes)\\b");
    List<String> out = new ArrayList<>();
    for (Source s : sources) {
      String[] lines = s.comments().split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        if (timing.matcher(lines[i]).find()) {
          out.add(s.name(root) + ":" + (i + 1));
        }
      }
    }
    return out;
  }

  private static Source source(Path p) throws IOException {
    String text = Files.readString(p);
    Matcher pkg = PACKAGE.matcher(text);
    if (!pkg.find()) {
      throw new IllegalStateException("No package declaration in " + p);
    }
    List<String> imports = new ArrayList<>();
    Matcher im = IMPORT.matcher(text);
    while (im.find()) {
      imports.add(im.group(1));
    }
    String[] split = split(text);
    String file = p.getFileName().toString();
    return new Source(p, pkg.group(1), file.substring(0, file.length() - ".java".length()),
        (int) text.lines().count(), split[0], split[1], List.copyOf(imports));
  }

  /**
   * Splits Java text into code (comments, string and char literals blanked) and comments (code
   * blanked), both keeping the line breaks so line numbers still match. Text blocks are treated
   * as strings.
   */
  public static String[] split(String text) {
    StringBuilder code = new StringBuilder(text.length());
    StringBuilder comments = new StringBuilder(text.length());
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
        int end = text.indexOf('\n', i);
        end = end < 0 ? n : end;
        blank(code, text, i, end);
        comments.append(text, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int end = text.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        blank(code, text, i, end);
        comments.append(text, i, end);
        i = end;
      } else if (text.startsWith("\"\"\"", i)) {
        int end = text.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end + 3;
        blank(code, text, i, end);
        blank(comments, text, i, end);
        i = end;
      } else if (c == '"' || c == '\'') {
        int end = i + 1;
        while (end < n && text.charAt(end) != c && text.charAt(end) != '\n') {
          end += text.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 1);
        blank(code, text, i, end);
        blank(comments, text, i, end);
        i = end;
      } else {
        code.append(c);
        comments.append(c == '\n' ? '\n' : ' ');
        i++;
      }
    }
    return new String[] {code.toString(), comments.toString()};
  }

  private static void blank(StringBuilder out, String text, int from, int to) {
    for (int i = from; i < to; i++) {
      out.append(text.charAt(i) == '\n' ? '\n' : ' ');
    }
  }
}
