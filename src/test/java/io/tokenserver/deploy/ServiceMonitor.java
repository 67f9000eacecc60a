package io.tokenserver.deploy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.List;

/**
 * The part of the Prometheus Operator's {@code monitoring.coreos.com/v1} ServiceMonitor schema that a
 * scrape of this server can use. Field names are the CRD's; a field outside this subset fails parsing,
 * so a typo such as {@code prot:} cannot pass as "ignored".
 */
record ServiceMonitor(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  record Spec(LabelSelector selector, List<Endpoint> endpoints, NamespaceSelector namespaceSelector,
      String jobLabel, List<String> targetLabels) {
  }

  record Endpoint(String port, String path, String scheme, String interval, String scrapeTimeout,
      Boolean honorLabels) {
  }

  record NamespaceSelector(Boolean any, List<String> matchNames) {
  }
}
