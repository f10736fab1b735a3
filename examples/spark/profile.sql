-- darklog on Spark SQL, step 1 of 2: the job's profile (its site facts and link-preview
-- shares), which every part of step 2 reads. One row per file: its profile, in base64.
--
--   spark-sql --files darklog,stage.py -d logs='s3a://bucket/logs/2026/11/*' -d flags='' \
--       -S -f profile.sql | python3 stage.py join-profiles job.profile
--
-- binaryFile reads each file whole and as stored, through any Hadoop filesystem: Spark
-- neither splits nor decompresses it, and darklog reads gzip, bzip2, xz and zstd itself.
-- A file travels as one row (base64: TRANSFORM passes text), so it must fit a task's memory;
-- its path names it in darklog's messages and in the report's caveats.
SELECT TRANSFORM (path, base64(content))
  ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
  USING 'python3 stage.py profile ${flags}'
  AS (profile STRING)
  ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
FROM binaryFile.`${logs}`;
