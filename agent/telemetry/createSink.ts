import type { Sink } from "./Sink.js";
import type { SinkConfig } from "./TelemetryConfig.js";

/**
 * The sink a configuration names. Kafka loads its native client only when configured, so an agent
 * that uses MQTT alone never loads librdkafka.
 */
export async function createSink(config: SinkConfig): Promise<Sink> {
  switch (config.type) {
    case "mqtt": {
      const { MqttSink } = await import("./MqttSink.js");
      return new MqttSink(config);
    }
    case "kafka": {
      const { KafkaSink } = await import("./KafkaSink.js");
      return new KafkaSink(config);
    }
    case "iot-core":
      // Listed in the README's limits: the MQTT5 client of aws-iot-device-sdk-v2 is not wired.
      throw new RangeError(`sink ${config.name}: the iot-core sink is not available in this build`);
  }
}
