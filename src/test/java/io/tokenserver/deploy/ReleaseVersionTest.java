package io.tokenserver.deploy;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import tools.jackson.databind.JsonNode;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The release version is the same in the pom, the production overlay's image tag and the changelog. */
class ReleaseVersionTest {

  private static String pomVersion() throws Exception {
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(Path.of("pom.xml").toFile()).getDocumentElement();
    for (var node = project.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals("version")) {
        return element.getTextContent().trim();
      }
    }
    throw new AssertionError("pom.xml has no project version");
  }

  @Test
  void theProductionImageTagIsThePomVersion() throws Exception {
    JsonNode images = Kustomize.readTree(Path.of("k8s/overlays/production/kustomization.yaml")).path("images");

    String version = pomVersion();
    assertThat(images).isNotEmpty();
    images.forEach(image -> assertThat(image.path("newTag").asString()).isEqualTo(version));
  }

  @Test
  void theChangelogsLatestEntryIsThePomVersionAndItIsARelease() throws Exception {
    String latest = Files.readAllLines(Path.of("CHANGELOG.md")).stream()
        .filter(line -> line.startsWith("## ")).findFirst().orElseThrow().substring(3).trim();

    assertThat(latest).isEqualTo(pomVersion());
    assertThat(pomVersion()).doesNotEndWith("-SNAPSHOT");
  }
}
