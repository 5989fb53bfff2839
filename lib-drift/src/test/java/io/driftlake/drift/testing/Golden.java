package io.driftlake.drift.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Reference values computed by scipy/numpy (golden/make_golden.py), never by our code.
 */
public final class Golden {
  private static JsonNode root;

  private Golden() {}

  public static synchronized JsonNode root() {
    if (root == null) {
      try (InputStream in = Golden.class.getResourceAsStream("/golden/golden.json")) {
        root = new ObjectMapper().readTree(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  public static List<JsonNode> cases(String kind) {
    List<JsonNode> cases = new ArrayList<>();
    root().get(kind).forEach(cases::add);
    return cases;
  }

  public static double[] doubles(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).mapToDouble(JsonNode::asDouble).toArray();
  }

  /**
   * A value token of the edge-case sections: a number, or "NaN", "Infinity", "-Infinity" (JSON
   * has no literal for them). Null (SQL null) is not a number: use {@link #values}.
   */
  public static double number(JsonNode token) {
    if (token.isNumber()) {
      return token.doubleValue();
    }
    if (token.isTextual()) {
      return switch (token.textValue()) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> throw new IllegalArgumentException("Not a value token: " + token);
      };
    }
    throw new IllegalArgumentException("Not a value token: " + token);
  }

  /** A column as a Spark selection holds it: tokens, JSON null as a SQL null. */
  public static Double[] values(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false)
        .map(t -> t.isNull() ? null : number(t)).toArray(Double[]::new);
  }

  public static long[] longs(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
  }
}
