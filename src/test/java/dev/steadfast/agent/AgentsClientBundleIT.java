package dev.steadfast.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.Npm;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The browser bundle of the {@code agents} client that the WAR serves
 * (src/main/webapp/vendor) is exactly what src/test/e2e/agents/build-bundle.mjs makes from the
 * pinned packages: rebuilt into target/, it is byte for byte the committed file (licence file
 * included), and the demo page imports the bundle of the pinned version.
 */
class AgentsClientBundleIT {
  private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  private static final Path E2E = BASE.resolve("src/test/e2e/agents");
  private static final Path VENDOR = BASE.resolve("src/main/webapp/vendor");

  @Test
  void rebuildingTheBundleGivesTheCommittedBytes() throws Exception {
    Npm.install(E2E, "esbuild");
    Path out = BASE.resolve("target/agents-bundle-check");
    if (Files.isDirectory(out)) {
      try (Stream<Path> old = Files.list(out)) {
        for (Path p : old.collect(Collectors.toList())) {
          Files.delete(p);
        }
      }
    }
    Path log = Files.createTempFile("build-bundle", ".log");
    Process node = new ProcessBuilder("node", "build-bundle.mjs", out.toString())
        .directory(E2E.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = node.waitFor(120, TimeUnit.SECONDS);
    String output = Files.readString(log);
    System.out.println(output);
    assertTrue(done && node.exitValue() == 0, "build-bundle.mjs failed:\n" + output);

    assertEquals(names(out), names(VENDOR), "the vendored files differ from what the script makes");
    for (String name : names(out)) {
      assertArrayEquals(Files.readAllBytes(out.resolve(name)), Files.readAllBytes(VENDOR.resolve(name)),
          "src/main/webapp/vendor/" + name + " is not what build-bundle.sh makes from the pinned"
              + " packages: run src/test/e2e/agents/build-bundle.sh and commit the result");
    }
  }

  @Test
  void theDemoPageImportsTheBundleOfThePinnedVersion() throws IOException {
    JsonObject pkg = Json.createReader(new StringReader(Files.readString(E2E.resolve("package.json"))))
        .readObject();
    String pinned = "agents-client-" + pkg.getJsonObject("dependencies").getString("agents") + ".js";
    assertTrue(Files.exists(VENDOR.resolve(pinned)), "missing src/main/webapp/vendor/" + pinned);
    Pattern ref = Pattern.compile("agents-client-[^\"'/]*\\.js");
    List<String> referenced;
    try (Stream<Path> files = Files.walk(BASE.resolve("src/main/webapp/demo"))) {
      referenced = files.filter(p -> p.toString().endsWith(".js") || p.toString().endsWith(".html"))
          .flatMap(p -> {
            try {
              Matcher m = ref.matcher(Files.readString(p));
              return m.results().map(r -> p.getFileName() + ": " + r.group());
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }).collect(Collectors.toList());
    }
    assertTrue(!referenced.isEmpty(), "no demo module imports the vendored client");
    for (String r : referenced) {
      assertTrue(r.endsWith(": " + pinned), "the demo imports another version than " + pinned
          + ": " + r);
    }
  }

  private static TreeSet<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("agents-client-"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
