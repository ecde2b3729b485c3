/* The files that build Apicurio Registry from Maven Central into a runnable Quarkus app: its POM,
 * one CDI producer, and the settings that index the registry's jar. */

export const apicurioVersion = "2.4.2.Final";
/** The Quarkus version Apicurio 2.4.2 was built with (its parent POM's `quarkus.version`). */
const quarkusVersion = "2.16.4.Final";

/**
 * A POM whose build is Apicurio's app module: its dependencies (versions from Apicurio's own parent,
 * imported as a BOM) packaged by the Quarkus plugin, as Apicurio's release build packages them. Two
 * dependencies are swapped for what Central serves: the everit JSON-schema validator is published on
 * Central under `com.github.erosb` (Apicurio names its jitpack coordinates), and the
 * `config-index` extension is left out, its `-deployment` module being on no repository this machine
 * reaches (see `EMPTY_DYNAMIC_CONFIG`).
 */
export function pom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>runnel.tests</groupId>
  <artifactId>registry</artifactId>
  <version>${apicurioVersion}</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.apicurio</groupId>
        <artifactId>apicurio-registry</artifactId>
        <version>${apicurioVersion}</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>io.apicurio</groupId>
      <artifactId>apicurio-registry-app</artifactId>
      <version>${apicurioVersion}</version>
      <exclusions>
        <exclusion><groupId>io.apicurio</groupId><artifactId>apicurio-common-app-components-config-index</artifactId></exclusion>
        <exclusion><groupId>com.github.everit-org.json-schema</groupId><artifactId>org.everit.json.schema</artifactId></exclusion>
      </exclusions>
    </dependency>
    <dependency>
      <groupId>com.github.erosb</groupId>
      <artifactId>everit-json-schema</artifactId>
      <version>1.14.2</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
      <plugin>
        <groupId>io.quarkus</groupId>
        <artifactId>quarkus-maven-plugin</artifactId>
        <version>${quarkusVersion}</version>
        <executions><execution><goals><goal>build</goal></goals></execution></executions>
      </plugin>
    </plugins>
  </build>
</project>
`;
}

/**
 * The index of settings an admin may change at run time, which the left-out `config-index`
 * extension builds: empty, so none can be (the registry's settings stay as started).
 */
export const EMPTY_DYNAMIC_CONFIG = `package runnel.tests.registry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import java.util.List;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;

@ApplicationScoped
public class EmptyDynamicConfig {
  @Produces
  @ApplicationScoped
  DynamicConfigPropertyList dynamicConfigProperties() {
    return new DynamicConfigPropertyList(List.of());
  }
}
`;

/** Apicurio's app jar carries no Jandex index: Quarkus indexes it to find its beans and REST resources. */
export const APPLICATION_PROPERTIES = `quarkus.index-dependency.registry-app.group-id=io.apicurio
quarkus.index-dependency.registry-app.artifact-id=apicurio-registry-app
`;
