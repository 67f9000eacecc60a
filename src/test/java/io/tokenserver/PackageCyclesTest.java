package io.tokenserver;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** Each package one job: no package depends, even indirectly, on one that depends on it. */
class PackageCyclesTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.tokenserver");

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.tokenserver.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void theTokenAndInspectPackagesDoNotKnowVertx() {
    noClasses().that().resideInAnyPackage("io.tokenserver.token..", "io.tokenserver.inspect..")
        .should().dependOnClassesThat().resideInAPackage("io.vertx..").check(MAIN);
  }
}
