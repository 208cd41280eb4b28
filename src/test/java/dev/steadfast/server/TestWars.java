package dev.steadfast.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.shrinkwrap.resolver.api.maven.Maven;

/** Helpers the integration tests use to assemble WARs and keep their files under target/. */
final class TestWars {
  private TestWars() {}

  /** The build directory (failsafe passes it; defaults to ./target). */
  static Path target() {
    return Path.of(System.getProperty("steadfast.it.dir", "target")).toAbsolutePath();
  }

  /**
   * The runtime libraries of the pom (Hibernate, H2, the PostgreSQL driver and what they pull
   * in, with the pom's exclusions applied): what Maven puts into WEB-INF/lib of a WAR.
   */
  static File[] runtimeLibraries() {
    return Maven.resolver().loadPomFromFile("pom.xml")
        .importCompileAndRuntimeDependencies()
        .resolve().withTransitivity().asFile();
  }

  /**
   * The first port of {@code from..to} that nothing listens on (all interfaces, as Payara binds).
   * Another build on this machine may run the same tests at the same time.
   */
  static int freePort(int from, int to) {
    for (int port = from; port <= to; port++) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(port));
        return port;
      } catch (IOException inUse) {
        // next one
      }
    }
    throw new IllegalStateException("no free port in " + from + ".." + to);
  }

  /** Deletes {@code dir} and everything in it, so that a run starts from an empty database. */
  static Path emptyDirectory(Path dir) {
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
