package io.tokenserver;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** Each package one job: no package depends, even indirectly, on one that depends on it. */
class PackageCyclesTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.tokenserver");

  /** Every package its own slice, the top one ({@code Main}, {@code TokenServer}) and nested ones included. */
  private static final SliceAssignment EVERY_PACKAGE = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      return SliceIdentifier.of(javaClass.getPackageName());
    }

    @Override
    public String getDescription() {
      return "every package of io.tokenserver";
    }
  };

  @Test
  void topLevelPackagesAreFreeOfCycles() {
    slices().matching("io.tokenserver.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void everyPackageIsFreeOfCycles() {
    slices().assignedFrom(EVERY_PACKAGE).should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void theTokenAndInspectPackagesDoNotKnowVertx() {
    noClasses().that().resideInAnyPackage("io.tokenserver.token..", "io.tokenserver.inspect..")
        .should().dependOnClassesThat().resideInAPackage("io.vertx..").check(MAIN);
  }
}
