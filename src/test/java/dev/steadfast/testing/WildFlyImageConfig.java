package dev.steadfast.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The {@code standalone.xml} of the WildFly image of {@code mvn -Pimage}, written by the build
 * (package phase) from the distribution's own: MicroProfile Health added (as for every WildFly
 * run of the tests, {@link WildFlyLauncher#withHealth}), the deployment scanner removed and the
 * exploded WAR declared as an unmanaged deployment of the configuration instead. The server then
 * starts with {@code --read-only-server-config} and writes nothing under its installation: the
 * scanner would write marker files next to the WAR, a managed deployment would copy it into the
 * data directory, and both directories belong to root in the image.
 *
 * <pre>WildFlyImageConfig &lt;wildfly home&gt; &lt;output directory&gt; &lt;exploded WAR path in the image&gt;</pre>
 */
public final class WildFlyImageConfig {
  private static final Pattern SCANNER = Pattern.compile(
      "\\n\\s*<subsystem xmlns=\"urn:jboss:domain:deployment-scanner:[^\"]+\">.*?</subsystem>",
      Pattern.DOTALL);
  private static final String SCANNER_EXTENSION =
      "<extension module=\"org.jboss.as.deployment-scanner\"/>";

  private WildFlyImageConfig() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException(
          "usage: WildFlyImageConfig <wildfly home> <output directory> <exploded WAR in the image>");
    }
    Path dist = Path.of(args[0]).resolve("standalone/configuration");
    Path out = Files.createDirectories(Path.of(args[1]));
    String xml = imageConfig(WildFlyLauncher.withHealth(
        Files.readString(dist.resolve("standalone.xml")),
        Files.readString(dist.resolve("standalone-microprofile.xml"))), args[2]);
    Files.writeString(out.resolve("standalone.xml"), xml);
    System.out.println("WildFlyImageConfig: " + out.resolve("standalone.xml"));
  }

  /** {@code standalone} without the deployment scanner, with {@code war} deployed at "/". */
  static String imageConfig(String standalone, String war) {
    String noScanner = SCANNER.matcher(standalone).replaceFirst("");
    if (noScanner.equals(standalone) || !noScanner.contains(SCANNER_EXTENSION)) {
      throw new IllegalStateException("no deployment scanner in this standalone.xml");
    }
    noScanner = noScanner.replaceFirst("\\n\\s*" + Pattern.quote(SCANNER_EXTENSION), "");
    if (noScanner.contains("<deployments>") || !noScanner.contains("</server>")) {
      throw new IllegalStateException("this standalone.xml already has deployments");
    }
    // ROOT.war: deployed at "/", as on every other server; unmanaged (the content stays where
    // the image put it) and exploded (the directory the Payara Micro image deploys too)
    String deployments = "    <deployments>\n"
        + "        <deployment name=\"ROOT.war\" runtime-name=\"ROOT.war\">\n"
        + "            <fs-exploded path=\"" + war + "\"/>\n"
        + "        </deployment>\n"
        + "    </deployments>\n";
    // before the document's own end tag (undertow's <server> elements close with </server> too)
    int end = noScanner.lastIndexOf("</server>");
    return noScanner.substring(0, end) + deployments + noScanner.substring(end);
  }
}
