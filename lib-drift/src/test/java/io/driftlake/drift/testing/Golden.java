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

  public static long[] longs(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
  }
}
