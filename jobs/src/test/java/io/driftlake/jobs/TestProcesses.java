package io.driftlake.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A job in its own JVM, as a user runs it: the test classpath, the project's Java flags. */
final class TestProcesses {
  private TestProcesses() {}

  /** Starts {@code main} with {@code args}; stdout is discarded, stderr is the caller's to read. */
  static Process job(Class<?> main, String... args) throws IOException {
    return command(main, args).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** The command that runs {@code main} with {@code args}, for the caller to set up and start. */
  static ProcessBuilder command(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    Path root = Path.of("").toAbsolutePath().getParent();
    command.addAll(List.of(Files.readString(root.resolve("conf/spark-java-options")).trim()
        .split("\\s+")));
    command.addAll(List.of("-Dspark.master=local[1]", "-Dspark.ui.enabled=false",
        "-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.properties"),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }
}
