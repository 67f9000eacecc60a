package io.tokenserver.deploy;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.tokenserver.Main;
import io.tokenserver.config.ConfigLoader;
import io.tokenserver.deploy.Manifests.Target;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Jib image (pom.xml) runs the server the way k8s/base/deployment.yaml expects: this machine cannot pull
 * base images, so the configuration is what can be checked here.
 */
class JibImageConfigTest {

  private static Element properties;
  private static Element jib;

  @BeforeAll
  static void readPom() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    properties = child(pom.getDocumentElement(), "properties");
    NodeList plugins = pom.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if ("jib-maven-plugin".equals(text(plugin, "artifactId"))) {
        jib = plugin;
      }
    }
    assertThat(jib).as("jib-maven-plugin in pom.xml").isNotNull();
  }

  @Test
  void baseImageIsEclipseTemurin17JrePinnedByDigest() {
    assertThat(text(jib, "configuration/from/image"))
        .matches("eclipse-temurin:17-jre@sha256:[0-9a-f]{64}");
  }

  @Test
  void jibIsBoundToNoPhaseSoMavenPackageNeverPullsAnImage() {
    assertThat(child(jib, "executions")).isNull();
  }

  @Test
  void imageRunsTheServersMainClassAsTheDeploymentsNonRootUser() throws Exception {
    PodSecurityContext pod = Manifests.of(Target.BASE).deployment().getSpec().getTemplate().getSpec()
        .getSecurityContext();

    assertThat(text(jib, "configuration/container/mainClass")).isEqualTo(Main.class.getName());
    assertThat(Main.class.getMethod("main", String[].class)).isNotNull();
    assertThat(text(jib, "configuration/container/user"))
        .isEqualTo(pod.getRunAsUser() + ":" + pod.getRunAsGroup())
        .doesNotStartWith("0:");
  }

  @Test
  void imageExposesTheContainerPorts() {
    List<String> exposed = texts(child(jib, "configuration/container/ports"), "port");
    List<String> containerPorts = Manifests.of(Target.BASE).container().getPorts().stream()
        .map(ContainerPort::getContainerPort).map(String::valueOf).toList();

    assertThat(exposed).containsExactlyInAnyOrderElementsOf(containerPorts);
  }

  @Test
  void imageJvmFlagsAreTheDeploymentsJavaToolOptions() {
    String image = text(jib, "configuration/container/environment/JAVA_TOOL_OPTIONS");
    String deployment = Manifests.of(Target.BASE).container().getEnv().stream()
        .filter(env -> env.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow().getValue();

    assertThat(image).isEqualTo(deployment);
    // jvmFlags go on the java command line, where they would beat the Deployment's JAVA_TOOL_OPTIONS.
    assertThat(child(jib, "configuration/container/jvmFlags")).isNull();
  }

  @Test
  void imageCarriesTheDefaultsFileWhereTheServerLooksForIt() throws Exception {
    Field field = ConfigLoader.class.getDeclaredField("DEFAULTS_FILE");
    field.setAccessible(true);
    Path defaultsFile = Path.of((String) field.get(null));
    String workingDirectory = text(jib, "configuration/container/workingDirectory");
    Element copy = child(jib, "configuration/extraDirectories/paths/path");

    assertThat(Files.isRegularFile(Path.of(text(copy, "from")).resolve(defaultsFile.getFileName()))).isTrue();
    assertThat(Path.of(text(copy, "into")).resolve(defaultsFile.getFileName()))
        .isEqualTo(Path.of(workingDirectory).resolve(defaultsFile));
  }

  /** The element at a slash-separated path below {@code parent}, or null. */
  private static Element child(Element parent, String path) {
    Element current = parent;
    for (String name : path.split("/")) {
      Element next = null;
      for (Node node = current.getFirstChild(); node != null; node = node.getNextSibling()) {
        if (node instanceof Element element && element.getTagName().equals(name)) {
          next = element;
          break;
        }
      }
      if (next == null) {
        return null;
      }
      current = next;
    }
    return current;
  }

  /** The text at {@code path}, with ${property} references resolved from the pom's properties. */
  private static String text(Element parent, String path) {
    Element element = child(parent, path);
    assertThat(element).as(path).isNotNull();
    Matcher reference = Pattern.compile("\\$\\{([^}]+)}").matcher(element.getTextContent().trim());
    StringBuilder resolved = new StringBuilder();
    while (reference.find()) {
      reference.appendReplacement(resolved, Matcher.quoteReplacement(text(properties, reference.group(1))));
    }
    return reference.appendTail(resolved).toString();
  }

  private static List<String> texts(Element parent, String name) {
    assertThat(parent).as("<%s> list", name).isNotNull();
    List<String> values = new ArrayList<>();
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(name)) {
        values.add(element.getTextContent().trim());
      }
    }
    return values;
  }
}
