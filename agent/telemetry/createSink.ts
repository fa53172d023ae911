import type { Sink } from "./Sink.js";
import type { SinkConfig } from "./TelemetryConfig.js";

/**
 * The sink a configuration names. Kafka and IoT Core load their native clients only when
 * configured, so an agent that uses MQTT alone never loads librdkafka or aws-crt.
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
    case "iot-core": {
      const { IotCoreSink } = await import("./IotCoreSink.js");
      return new IotCoreSink(config);
    }
  }
}
