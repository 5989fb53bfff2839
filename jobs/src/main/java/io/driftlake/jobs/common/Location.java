package io.driftlake.jobs.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * Where the lake (or a report) lives, as Hadoop's FileSystem and Delta address it: a local folder
 * (a bare path, made absolute against the working directory, or a {@code file:} URI), kept as its
 * absolute path, or {@code SCHEME://AUTHORITY/PATH} on any file system Hadoop has a connector for
 * ({@code s3a://bucket/lake}, {@code abfss://container@account.dfs.core.windows.net/lake},
 * {@code hdfs://namenode:8020/lake}, {@code hdfs:///lake}). {@link #value} is what Spark, Delta
 * and Hadoop's {@code Path} take; children are added one checked name at a time, so nothing
 * resolved under a location leaves it.
 */
public record Location(String value) {
  /** A URI scheme; at least two characters, so that a Windows drive letter stays a path. */
  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.\\-]+):(.*)",
      Pattern.DOTALL);
  private static final Pattern HIERARCHICAL = Pattern.compile("//([^/?#]*)(/[^?#]*)?");

  /**
   * {@code text} as a location: {@code what} (a config key or an option) names it in the one-line
   * error when it is empty, a URI without {@code //AUTHORITY}, or has a query, fragment, {@code .}
   * or {@code ..} segment.
   */
  public static Location parse(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(what + " is empty: expected a folder or a URI such as "
          + "s3a://bucket/lake");
    }
    Matcher scheme = SCHEME.matcher(text);
    if (!scheme.matches()) {
      return of(Path.of(text));
    }
    String name = scheme.group(1).toLowerCase(Locale.ROOT);
    if (name.equals("file")) {
      try {
        return of(Path.of(URI.create(text)));
      } catch (IllegalArgumentException e) {
        throw bad(what, text, "a file: URI is file:/PATH or file:///PATH (" + e.getMessage() + ")");
      }
    }
    Matcher rest = HIERARCHICAL.matcher(scheme.group(2));
    if (!rest.matches()) {
      throw bad(what, text, "expected SCHEME://AUTHORITY/PATH (no query or fragment), e.g. "
          + "s3a://bucket/lake");
    }
    List<String> segments = new ArrayList<>();
    for (String segment : (rest.group(2) == null ? "" : rest.group(2)).split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw bad(what, text, "'.' and '..' are not allowed in a URI's path");
      }
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return new Location(name + "://" + rest.group(1) + "/" + String.join("/", segments));
  }

  /** A local folder or file, made absolute and normalized. */
  public static Location of(Path local) {
    return new Location(local.toAbsolutePath().normalize().toString());
  }

  private static IllegalArgumentException bad(String what, String text, String why) {
    return new IllegalArgumentException(String.format("Bad %s '%s': %s", what, text, why));
  }

  /** True for a folder on this machine's disk (what Java's own file API can open). */
  public boolean local() {
    return !value.contains("://");
  }

  /** The local path of a {@link #local()} location. */
  public Path localPath() {
    if (!local()) {
      throw new IllegalStateException("Not a local folder: " + value);
    }
    return Path.of(value);
  }

  /**
   * The child {@code name} of this location: one path segment (no {@code /}, not {@code .} or
   * {@code ..}, not empty), so that the child stays inside.
   */
  public Location resolve(String name) {
    if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\")
        || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(String.format(
          "Bad name '%s' under %s: one path segment, never a path", name, value));
    }
    return new Location(value.endsWith("/") ? value + name : value + "/" + name);
  }

  /** The location as Hadoop's {@code Path}. */
  public org.apache.hadoop.fs.Path hadoopPath() {
    return new org.apache.hadoop.fs.Path(value);
  }

  /**
   * The file system that holds this location, configured by {@code conf} (a Spark session's is
   * {@code spark.sessionState().newHadoopConf()}: it carries the {@code spark.hadoop.*}
   * settings). On local disk, the raw file system: no {@code .crc} file beside each report.
   */
  public FileSystem fileSystem(Configuration conf) {
    try {
      FileSystem fs = hadoopPath().getFileSystem(conf);
      return fs instanceof LocalFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the file system of " + value, e);
    }
  }

  /** Writes {@code text} (UTF-8) as this file, replacing it; missing parent folders are made. */
  public void write(Configuration conf, String text) {
    try (FSDataOutputStream out = fileSystem(conf).create(hadoopPath(), true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + value, e);
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
