import type { AgentConfig } from "../../config/AgentConfig.js";
import { IotCoreLink } from "./IotCoreLink.js";
import { MqttJsLink } from "./MqttJsLink.js";
import type { MqttLink } from "./MqttLink.js";

/** The configured transport; the client ID defaults to the thing name, as AWS IoT expects. */
export function createMqttLink(config: AgentConfig): MqttLink {
  const clientId = config.mqtt.clientId ?? config.thing;
  return config.mqtt.transport === "iot-core"
    ? new IotCoreLink(config.mqtt, clientId, config.reconnect)
    : new MqttJsLink(config.mqtt, clientId, config.reconnect);
}
