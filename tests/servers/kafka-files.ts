import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { kafka as config } from "./config.ts";

/* The files a one-node Kafka needs: the POM that fetches its jars, its
 * server.properties, and a logging configuration for its log4j version. */

/** Logging is not in Kafka's POM; without a binding the broker runs silently. */
function loggingDependencies(version: string): Array<[string, string, string]> {
  if (version.startsWith("3.")) {
    return [
      ["org.slf4j", "slf4j-reload4j", "1.7.36"],
      ["ch.qos.reload4j", "reload4j", "1.2.25"],
    ];
  }
  return [
    ["org.apache.logging.log4j", "log4j-core", "2.24.3"],
    ["org.apache.logging.log4j", "log4j-slf4j-impl", "2.24.3"],
  ];
}

/** A POM whose runtime dependencies are the broker and a logging binding. */
export function pom(version: string): string {
  const dependency = ([group, artifact, v]: [string, string, string]) =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${v}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>runnel.tests</groupId>
  <artifactId>kafka-server</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${[["org.apache.kafka", "kafka_2.13", version] as [string, string, string], ...loggingDependencies(version)].map(dependency).join("\n")}
  </dependencies>
</project>
`;
}

/** One combined broker and controller with a static quorum, on the ports in `config.ts`. */
export function serverProperties(logDirs: string, tls: { keystore: string; password: string }): string {
  const [, controllerPort] = config.controller.split(":");
  const broker = config.brokers[0];
  const saslBroker = config.saslBrokers[0];
  const saslTlsBroker = config.saslTlsBrokers[0];
  const sasl = config.sasl;
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@${config.controller}`,
    `listeners=PLAINTEXT://${broker},CONTROLLER://127.0.0.1:${controllerPort},SASL_PLAINTEXT://${saslBroker},SASL_SSL://${saslTlsBroker}`,
    `advertised.listeners=PLAINTEXT://${broker},SASL_PLAINTEXT://${saslBroker},SASL_SSL://${saslTlsBroker}`,
    "inter.broker.listener.name=PLAINTEXT",
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
    "sasl.enabled.mechanisms=PLAIN",
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${sasl.username}="${sasl.password}";`,
    `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${sasl.username}="${sasl.password}";`,
    `ssl.keystore.location=${tls.keystore}`,
    `ssl.keystore.password=${tls.password}`,
    `ssl.key.password=${tls.password}`,
    "ssl.keystore.type=PKCS12",
    `log.dirs=${logDirs}`,
    "num.partitions=1",
    // Tests produce records stamped years ago (1700000000123); under the default 7-day retention the broker's
    // check (every 5 minutes) deleted them whenever it fell between a test's send and its read.
    "log.retention.ms=-1",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=4",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=true",
    "",
  ].join("\n");
}

const log4j2 = `Configuration:
  Appenders:
    Console:
      name: STDOUT
      target: SYSTEM_OUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaConfig
        level: WARN
      - name: org.apache.kafka.common.config.AbstractConfig
        level: WARN
`;

const log4j1 = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaConfig=WARN
log4j.logger.org.apache.kafka.common.config.AbstractConfig=WARN
`;

/** Writes the logging configuration into `home`; returns the JVM flag that points at it. */
export function loggingFlag(version: string, home: string): string {
  if (version.startsWith("3.")) {
    const file = join(home, "log4j.properties");
    writeFileSync(file, log4j1);
    return `-Dlog4j.configuration=file:${file}`;
  }
  const file = join(home, "log4j2.yaml");
  writeFileSync(file, log4j2);
  return `-Dlog4j2.configurationFile=${file}`;
}
