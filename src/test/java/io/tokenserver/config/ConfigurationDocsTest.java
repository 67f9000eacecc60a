package io.tokenserver.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md documents exactly the keys of conf/config.json, with the same defaults. */
class ConfigurationDocsTest {

  private static final Pattern ROW = Pattern.compile("^\\| `([A-Z0-9_]+)` \\| (—|`([^`]*)`) \\|.+\\|$");

  /** key → documented default (null for —), from the "Every key" table. */
  private static Map<String, String> documented() throws IOException {
    String doc = Files.readString(Path.of("docs/configuration.md"));
    String table = doc.substring(doc.indexOf("## Every key"));
    table = table.substring(0, table.indexOf("\n## ", 1) < 0 ? table.length() : table.indexOf("\n## ", 1));
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : table.split("\n")) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        assertThat(rows).as("documented twice: %s", row.group(1)).doesNotContainKey(row.group(1));
        rows.put(row.group(1), row.group(3));
      }
    }
    return rows;
  }

  @Test
  void everyKeyOfTheDefaultsIsDocumentedWithItsDefaultAndNoOtherKeyIs() throws IOException {
    JsonObject defaults = new JsonObject(Files.readString(Path.of("conf/config.json")));
    Map<String, String> expected = new LinkedHashMap<>();
    defaults.forEach(entry -> expected.put(entry.getKey(),
        entry.getValue() == null ? null : String.valueOf(entry.getValue())));

    assertThat(documented()).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void theServerReadsExactlyTheKeysOfTheShippedDefaults() throws IOException {
    JsonObject defaults = new JsonObject(Files.readString(Path.of("conf/config.json")));

    assertThat(ServerConfig.KEYS).containsExactlyInAnyOrderElementsOf(defaults.fieldNames());
  }
}
