package dev.steadfast.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

/** How one kind of server is installed for a test, started on a port, and asked if it is ready. */
interface ServerLauncher {
  /** One start: the WAR, where it is mounted, the directory of this server's files, its port. */
  record Launch(Path war, String contextRoot, Path base, int port) {
    /** The WAR's file name on servers that take the context root from it ("/" is ROOT.war). */
    String warName() {
      String name = contextRoot.replaceAll("^/+|/+$", "").replace('/', '#');
      return (name.isEmpty() ? "ROOT" : name) + ".war";
    }
  }

  /** The command of this start; installs the server's own files under {@code base} at first. */
  List<String> command(Launch launch) throws IOException, InterruptedException;

  /** Where MicroProfile Health answers for the server started last. */
  String readyUrl();

  /** The server's own report of a failed deployment, or null while none is known. */
  String deploymentFailure(String readyBody, String log) throws IOException;

  /** The server's own log when it does not write to its standard output, else null. */
  default Path serverLog() {
    return null;
  }

  /** Called once the server is ready (e.g. to deploy only once). */
  default void ready() throws IOException {}

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * JVM flags the integration tests add to the servers they start (failsafe sets
   * {@code steadfast.it.jvmFlags}: the C1 compiler only and the serial collector, a quarter off
   * each start on two cores). Benchmarks run without them, with the shipped flags.
   */
  static List<String> testJvmFlags() {
    String flags = System.getProperty("steadfast.it.jvmFlags", "").trim();
    return flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static ServerLauncher of(ServerKind kind) {
    return switch (kind) {
      case PAYARA_MICRO -> new PayaraMicroLauncher(kind.home());
      case WILDFLY -> new WildFlyLauncher(kind.home());
      case PAYARA_SERVER -> new PayaraServerLauncher(kind.home());
    };
  }
}
