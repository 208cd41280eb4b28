package dev.steadfast.testing;

import java.nio.file.Path;
import java.util.List;

/** {@code java -jar payara-micro.jar --deploy <war>}, exactly as a user (and the image) runs it. */
final class PayaraMicroLauncher implements ServerLauncher {
  private final Path jar;
  private int port;

  PayaraMicroLauncher(Path jar) {
    this.jar = jar;
  }

  @Override
  public List<String> command(Launch l) {
    port = l.port();
    // a fresh root per start: Payara Micro redeploys whatever an old root remembers
    Path root = l.base().resolve("root-" + System.nanoTime());
    // as the Dockerfile's JAVA_OPTS: the shipped heap, and JSON-P without a ServiceLoader scan
    // per Json.createX call (docs/benchmarks.md)
    List<String> cmd = new java.util.ArrayList<>(List.of(ServerLauncher.java(), "-Xmx512m",
        "-Djakarta.json.provider=org.eclipse.parsson.JsonProviderImpl",
        "-Djava.io.tmpdir=" + l.base()));
    cmd.addAll(ServerLauncher.testJvmFlags());
    cmd.addAll(List.of("-jar", jar.toString(), "--deploy", l.war().toString(), "--contextroot",
        l.contextRoot(), "--port", String.valueOf(l.port()), "--nocluster", "--rootdir",
        root.toString(),
        // its data grid binds a port even with --nocluster (from 6900 up); two servers starting
        // at once raced for it (a NullPointerException in Hazelcast failed one start)
        "--startport", String.valueOf(ServerLauncher.freePort())));
    return cmd;
  }

  @Override
  public String readyUrl() {
    return "http://127.0.0.1:" + port + "/health/ready";
  }

  @Override
  public String deploymentFailure(String readyBody, String log) {
    // Payara Micro answers its health endpoint without the application when the deployment failed
    return readyBody.contains("No Application deployed") && log.contains(" ready in ")
        ? readyBody : null;
  }
}
