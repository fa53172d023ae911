export { openRosbag } from "./openRosbag.js";
export { looksLikeRosbag } from "./looksLikeRosbag.js";
export { RosbagReader } from "./RosbagReader.js";
export { decodeRos1CanFrame, ROS1_CAN_FRAME_TYPE } from "./decodeRos1CanFrame.js";
