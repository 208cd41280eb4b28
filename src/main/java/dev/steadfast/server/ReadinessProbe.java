package dev.steadfast.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A container's health check where there is no shell and no curl (the images of {@code
 * mvn -Pimage}): asks the readiness URL and exits 0 only when the server answers 200 and the
 * answer contains the {@code workflow-engine} check, i.e. the application is deployed and its
 * engine runs. (Payara Micro answers {@code DOWN} without that check when the deployment
 * failed, and 200 with an empty list of checks before it deployed anything.)
 *
 * <p>Run from the exploded WAR: {@code java -cp /opt/steadfast/app/WEB-INF/classes
 * dev.steadfast.server.ReadinessProbe [url]}; without an argument the URL is the environment's
 * {@code STEADFAST_READINESS_URL} (the WildFly image sets it to the management port's
 * {@code http://127.0.0.1:9990/health/ready}), else {@code http://127.0.0.1:8080/health/ready}
 * (Payara Micro), so that one health check command serves both images.
 */
public final class ReadinessProbe {
  private ReadinessProbe() {}

  static final String DEFAULT_URL = "http://127.0.0.1:8080/health/ready";

  public static void main(String[] args) {
    System.exit(check(url(args, System.getenv("STEADFAST_READINESS_URL"))) ? 0 : 1);
  }

  /** The argument, else the environment's URL, else Payara Micro's. */
  static String url(String[] args, String fromEnvironment) {
    if (args.length > 0) {
      return args[0];
    }
    return fromEnvironment == null || fromEnvironment.isBlank() ? DEFAULT_URL
        : fromEnvironment.strip();
  }

  static boolean check(String url) {
    try {
      HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
          .build().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
              .GET().build(), HttpResponse.BodyHandlers.ofString());
      boolean ok = r.statusCode() == 200 && r.body().contains("\"workflow-engine\"");
      System.out.println(r.statusCode() + " " + r.body());
      return ok;
    } catch (java.io.IOException e) {
      System.out.println("no answer from " + url + ": " + e);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
