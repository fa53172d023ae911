export { openMcap } from "./openMcap.js";
export { looksLikeMcap } from "./looksLikeMcap.js";
export { McapLogReader } from "./McapLogReader.js";
export { decodeCdrCanFrame, ROS2_CAN_FRAME_TYPE } from "./decodeCdrCanFrame.js";
