package io.tokenserver.metrics;

import io.tokenserver.support.PrometheusText;
import io.tokenserver.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The scrape names the version that serves: the project version of pom.xml. */
class BuildInfoMetricTest {

  @Test
  void scrapeCarriesBuildInfoWithThePomVersion() throws Exception {
    String version = pomVersion();
    try (RunningServer server = RunningServer.start()) {
      PrometheusText metrics = new PrometheusText(server.management("/metrics").bodyAsString());

      assertThat(metrics.value("token_server_build_info{version=\"" + version + "\"}")).isEqualTo(1.0);
    }
  }

  private static String pomVersion() throws Exception {
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(Path.of("pom.xml").toFile()).getDocumentElement();
    for (Node node = project.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals("version")) {
        return element.getTextContent().trim();
      }
    }
    throw new AssertionError("no <version> in pom.xml");
  }
}
